'use client'

// Pages outside the signed-in layout (sign in), and a failing layout itself; signed-in pages have
// (app)/error.tsx, which keeps the header. Plain markup: this boundary ships with every page.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main" className="mx-auto max-w-lg px-6 py-24">
      <h1 className="text-2xl font-semibold">This page could not be shown</h1>
      <p className="mt-3 text-slate-700">Something failed on our side while showing it. Nothing was changed by this error. Try again, or go back to the Dashboard.</p>
      <p className="mt-6 flex gap-4">
        <button type="button" onClick={reset} className="btn btn-primary">
          Try again
        </button>
        {/* A full load, the surer way back after an error; next/link would add 4 KB to every page. */}
        <a href="/dashboard" className="self-center font-medium text-indigo-700 underline">
          Go to the Dashboard
        </a>
      </p>
    </main>
  )
}

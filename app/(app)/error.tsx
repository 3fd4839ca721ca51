'use client'

// Inside the signed-in layout, so a page that fails to render keeps the header (issue 14); the
// layout has the <main>.
export default function SignedInErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-lg py-12">
      <h1 className="text-2xl font-semibold">This page could not be shown</h1>
      <p className="mt-3 text-slate-700">Something failed on our side while showing it. Nothing was changed by this error. Try again, or go back to the Dashboard.</p>
      <p className="mt-6 flex gap-4">
        <button type="button" onClick={reset} className="btn btn-primary">
          Try again
        </button>
        <a href="/dashboard" className="self-center font-medium text-indigo-700 underline">
          Go to the Dashboard
        </a>
      </p>
    </div>
  )
}

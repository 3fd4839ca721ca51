import Link from 'next/link'

export default function NotFound() {
  return (
    <main id="main" className="mx-auto max-w-lg px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-3 text-slate-700">There is nothing here, or you do not have access to it.</p>
      <p className="mt-6">
        <Link href="/dashboard" className="font-medium text-indigo-700 underline">
          Go to the Dashboard
        </Link>
      </p>
    </main>
  )
}

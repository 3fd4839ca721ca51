import Link from 'next/link'

// One page for every unknown or malformed token, so guessing learns nothing.
export default function InvitationNotFound() {
  return (
    <div className="mx-auto max-w-lg py-12">
      <h1 className="text-2xl font-semibold">This invitation link is not valid</h1>
      <p className="mt-3 text-slate-700">The link may be incomplete, or the invitation was replaced by a newer one. Check the latest email, or ask for a new invitation.</p>
      <p className="mt-6">
        <Link href="/dashboard" className="font-medium text-indigo-700 underline">
          Go to the Dashboard
        </Link>
      </p>
    </div>
  )
}

import type { Metadata } from 'next'
import Link from 'next/link'

export const metadata: Metadata = { title: 'Sign-in problem' }

const messages: Record<string, { title: string; body: string }> = {
  Verification: {
    title: 'This sign-in link has expired or was already used',
    body: 'Sign-in links work once and expire after 15 minutes. Ask for a new one.',
  },
  AccessDenied: { title: 'Sign-in was refused', body: 'This address may not sign in.' },
}

export default async function SignInErrorPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams
  const message = (error && messages[error]) || { title: 'We could not sign you in', body: 'Something went wrong while signing in. Please try again.' }
  return (
    <main id="main" className="mx-auto max-w-md px-6 py-20">
      <h1 className="text-2xl font-semibold">{message.title}</h1>
      <p className="mt-3 text-slate-700">{message.body}</p>
      <p className="mt-6">
        <Link href="/login" className="font-medium text-indigo-700 underline">
          Request a new sign-in link
        </Link>
      </p>
    </main>
  )
}

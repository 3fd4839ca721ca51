import type { Metadata } from 'next'
import Link from 'next/link'
import { getEnv } from '@/lib/env'

export const metadata: Metadata = { title: 'Check your email' }

export default function CheckEmailPage() {
  const { isDevMailbox, NODE_ENV } = getEnv()
  return (
    <main id="main" className="mx-auto max-w-md px-6 py-20">
      <h1 className="text-2xl font-semibold">Check your email</h1>
      <p className="mt-3 text-slate-700">
        We sent you a sign-in link. It works once and expires in 15 minutes. You can close this tab.
      </p>
      {isDevMailbox && NODE_ENV !== 'production' ? (
        <p className="mt-4 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          Development: no email provider is configured, so the email is in the{' '}
          <Link href="/dev/mailbox" className="font-medium underline">
            dev mailbox
          </Link>
          .
        </p>
      ) : null}
      <p className="mt-6">
        <Link href="/login" className="font-medium text-indigo-700 underline">
          Use another address
        </Link>
      </p>
    </main>
  )
}

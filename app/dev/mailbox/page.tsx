import type { Metadata } from 'next'
import { EmptyState } from '@/components/ui/table'
import { notFound } from 'next/navigation'
import { withDb } from '@/lib/data/db'
import { listMailbox } from '@/lib/data/outbox/list-mailbox'
import { getEnv } from '@/lib/env'

export const metadata: Metadata = { title: 'Dev mailbox' }
export const dynamic = 'force-dynamic'

/** The text of an email with its links clickable. */
function Linkified({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g)
  return (
    <>
      {parts.map((part, i) =>
        /^https?:\/\//.test(part) ? (
          <a key={i} href={part} className="break-all text-indigo-700 underline">
            {part}
          </a>
        ) : (
          <span key={i}>{part}</span>
        ),
      )}
    </>
  )
}

// Development only: the outbox rows are the mailbox. Absent in production or when a provider is configured.
export default async function DevMailboxPage() {
  const env = getEnv()
  if (env.NODE_ENV === 'production' || !env.isDevMailbox) notFound()
  const emails = await withDb(listMailbox, { limit: 50 })
  return (
    <main id="main" className="mx-auto max-w-3xl px-6 py-10">
      <h1 className="text-2xl font-semibold">Dev mailbox</h1>
      <p className="mt-2 text-slate-700">Every email the app sent, newest first. Shown only in development without an email provider.</p>
      {emails.length === 0 ? (
        <EmptyState className="mt-6">
          No emails yet. Sign in or invite someone and the email appears here.
        </EmptyState>
      ) : (
        <ol className="mt-6 space-y-4">
          {emails.map((email) => (
            <li key={email.id}>
              <article aria-labelledby={`mail-${email.id}`} className="rounded-lg border border-slate-200 bg-white p-4">
                <h2 id={`mail-${email.id}`} className="font-semibold">
                  {email.subject}
                </h2>
                <p className="text-sm text-slate-600">
                  To {email.recipient} · {email.createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC · {email.status}
                </p>
                <pre className="mt-3 whitespace-pre-wrap font-sans text-sm text-slate-800">
                  <Linkified text={email.text} />
                </pre>
              </article>
            </li>
          ))}
        </ol>
      )}
    </main>
  )
}

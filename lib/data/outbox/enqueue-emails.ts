import 'server-only'
import { randomUUID } from 'node:crypto'
import type { Db } from '@/db/client'
import { emailOutbox } from '@/db/schema'
import { MAX_BATCH_SIZE } from '@/lib/email/transport'

export interface OutboxEmail {
  kind: string
  to: string
  subject: string
  html: string
  text: string
  idempotencyKey?: string
}

/**
 * Queues emails in one statement; ids come back in the order given. Pass the transaction of the
 * change that causes them, so both commit or neither. With `asBatch` they go to the provider in one
 * request (at most MAX_BATCH_SIZE), retried whole.
 */
export async function enqueueEmails(db: Db, emails: OutboxEmail[], { asBatch = false }: { asBatch?: boolean } = {}): Promise<{ id: string }[]> {
  if (emails.length === 0) return []
  if (asBatch && emails.length > MAX_BATCH_SIZE) throw new Error(`a batch holds at most ${MAX_BATCH_SIZE} emails, not ${emails.length}`)
  const ids = emails.map(() => randomUUID())
  const values = emails.map((email, i) => ({
    id: ids[i],
    batchId: asBatch ? ids[0] : null,
    kind: email.kind,
    recipient: email.to,
    subject: email.subject,
    html: email.html,
    text: email.text,
    idempotencyKey: email.idempotencyKey ?? `${email.kind}/${randomUUID()}`,
  }))
  await db.insert(emailOutbox).values(values)
  return ids.map((id) => ({ id }))
}

import 'server-only'
import type { Db } from '@/db/client'
import { enqueueEmails, type OutboxEmail } from './enqueue-emails'

/** Queues one email; pass the transaction of the change that causes it, so both commit or neither. */
export async function enqueueEmail(db: Db, email: OutboxEmail): Promise<{ id: string }> {
  const [row] = await enqueueEmails(db, [email])
  return row
}

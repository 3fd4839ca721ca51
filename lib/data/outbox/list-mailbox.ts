import 'server-only'
import { desc } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { emailOutbox } from '@/db/schema'

/** Recent outbox rows, newest first, for the development mailbox page (never reachable in production). */
export async function listMailbox(db: Db, { limit = 50 }: { limit?: number } = {}) {
  return db
    .select({
      id: emailOutbox.id,
      kind: emailOutbox.kind,
      recipient: emailOutbox.recipient,
      subject: emailOutbox.subject,
      text: emailOutbox.text,
      html: emailOutbox.html,
      status: emailOutbox.status,
      createdAt: emailOutbox.createdAt,
    })
    .from(emailOutbox)
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(limit)
}

import 'server-only'
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { emailOutbox } from '@/db/schema'
import { sqlNow } from './clock'

export interface ClaimParams {
  limit: number
  /** How long the claim holds its rows before another worker may take them over. */
  leaseMs: number
  /** Only these rows (immediate delivery after the request that queued them). */
  onlyIds?: string[]
  now?: () => Date
}

/**
 * Claims due rows (pending and due, or leased by a worker whose lease ran out) for one worker:
 * SKIP LOCKED, so any number of instances claim side by side and never the same row.
 */
export async function claimDueEmails(db: Db, { limit, leaseMs, onlyIds, now }: ClaimParams) {
  const at = sqlNow(now)
  const due = or(
    // Literal statuses, so a generic plan of this statement still matches email_outbox_due_idx.
    and(sql`${emailOutbox.status} = 'pending'`, lte(emailOutbox.nextAttemptAt, at)),
    and(sql`${emailOutbox.status} = 'sending'`, lt(emailOutbox.lockedUntil, at)),
  )
  // Only a batch's leader is ever claimed (locked) directly; its other rows follow it in the same
  // statement, so two workers never hold parts of one batch (and never deadlock over one).
  const isLeader = or(isNull(emailOutbox.batchId), eq(emailOutbox.batchId, emailOutbox.id))
  const leaders = db.$with('leaders').as(
    db
      .select({ id: emailOutbox.id })
      .from(emailOutbox)
      .where(and(due, isLeader, onlyIds ? inArray(emailOutbox.id, onlyIds) : undefined))
      .orderBy(asc(emailOutbox.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true }),
  )
  // The leaders and the rest of their batches, as one IN list (with OR, the planner read the whole table).
  const claimedIds = sql`(select ${leaders.id} from ${leaders} union all select f.id from email_outbox f where f.batch_id in (select ${leaders.id} from ${leaders}))`
  return db
    .with(leaders)
    .update(emailOutbox)
    .set({ status: 'sending', attempts: sql`${emailOutbox.attempts} + 1`, lockedUntil: sql`${at} + ${Math.round(leaseMs)}::double precision * interval '1 millisecond'` })
    .where(sql`${emailOutbox.id} in ${claimedIds}`)
    .returning({
      id: emailOutbox.id,
      recipient: emailOutbox.recipient,
      subject: emailOutbox.subject,
      html: emailOutbox.html,
      text: emailOutbox.text,
      idempotencyKey: emailOutbox.idempotencyKey,
      attempts: emailOutbox.attempts,
      batchId: emailOutbox.batchId,
    })
}

export type ClaimedEmail = Awaited<ReturnType<typeof claimDueEmails>>[number]

import 'server-only'
import { and, count, lte, sql, type SQL } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { auditEvents, invitations } from '@/db/schema'
import { isPending } from './shared'

/**
 * Marks pending invitations past their expiry as expired, with an audit event each, in one
 * statement (the update and the audit insert as data-modifying CTEs); returns how many.
 */
export async function markExpired(tx: Db, where: SQL | undefined, now: Date): Promise<number> {
  const expired = tx.$with('expired').as(
    tx
      .update(invitations)
      .set({ status: 'expired' })
      .where(and(where, isPending, lte(invitations.expiresAt, now)))
      .returning({ id: invitations.id, organizationId: invitations.organizationId, email: invitations.email }),
  )
  const audited = tx.$with('audited').as(
    tx.insert(auditEvents).select(
      tx
        // Insert ... select takes every column of the table, in its order: the defaults spelled out.
        .select({
          id: sql<string>`gen_random_uuid()`.as('id'),
          organizationId: expired.organizationId,
          actorId: sql<null>`null::uuid`.as('actor_id'),
          action: sql<string>`'invitation.expired'`.as('action'),
          targetType: sql<string>`'invitation'`.as('target_type'),
          targetId: sql<string>`${expired.id}::text`.as('target_id'),
          data: sql<Record<string, unknown>>`jsonb_build_object('email', ${expired.email})`.as('data'),
          createdAt: sql<Date>`now()`.as('created_at'),
        })
        .from(expired),
    ),
  )
  const [row] = await tx.with(expired, audited).select({ n: count() }).from(expired)
  return row.n
}

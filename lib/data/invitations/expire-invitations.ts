import 'server-only'
import { and, asc, inArray, lte } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { invitations } from '@/db/schema'
import { markExpired } from './mark-expired'
import { isPending } from './shared'

const SWEEP_BATCH = 1000

/**
 * The periodic sweep: stores pending invitations past their expiry as expired, with an audit
 * event each. Batches skip rows another instance is sweeping, so every instance may run it.
 */
export async function expireInvitations(db: Db, now: Date = new Date()): Promise<number> {
  let total = 0
  for (;;) {
    const swept = await db.transaction(async (txAny) => {
      const tx = txAny as unknown as Db
      const due = tx
        .select({ id: invitations.id })
        .from(invitations)
        .where(and(isPending, lte(invitations.expiresAt, now)))
        .orderBy(asc(invitations.expiresAt))
        .limit(SWEEP_BATCH)
        .for('update', { skipLocked: true })
      return markExpired(tx, inArray(invitations.id, due), now)
    })
    total += swept
    if (swept < SWEEP_BATCH) return total
  }
}

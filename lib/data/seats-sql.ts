import 'server-only'
import { and, count, eq, gt, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { invitations, memberships } from '@/db/schema'

/**
 * What a seat is, the one place it is written: a member, or a pending invitation that has not
 * expired (an expired one gave its seat up; a resend takes one again). `orgId` may be a value or
 * a column of the surrounding query. 'pending' is a literal, not a parameter, so a prepared plan
 * can use the partial index invitations_org_pending_expiry_idx.
 */
export function seatsUsedSql(db: Db, orgId: string | SQLWrapper, now: Date): SQL<number> {
  const members = db.select({ n: count() }).from(memberships).where(eq(memberships.organizationId, orgId))
  const pending = db
    .select({ n: count() })
    .from(invitations)
    .where(and(eq(invitations.organizationId, orgId), sql`${invitations.status} = 'pending'`, gt(invitations.expiresAt, now)))
  return sql<number>`((${members}) + (${pending}))`.mapWith(Number)
}

import 'server-only'
import { and, desc, eq, lt, or, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, users } from '@/db/schema'
import { effectivePermissions, hasPermission, memberCapabilities, type MemberCapabilities, type OrgPermission, type Role } from '@/lib/permissions'
import { decodeCursor, encodeCursor } from '../cursor'
import { isUuid } from '../ids'
import { actorHolds } from '../permission-sql'
import { seatsUsedSql } from '../seats-sql'

export interface MemberRow {
  userId: string
  name: string | null
  email: string
  role: Role
  permissions: OrgPermission[]
  joinedAt: Date
  /** What the caller may do to this member (memberCapabilities): the Members tab renders exactly this. */
  can: MemberCapabilities
}

/**
 * One page of members, newest first, with how many there are and how many seats are in use;
 * null when the caller lacks members:read. One query (the caller's check and the counts folded
 * in); a second only when the page comes back empty, to tell "no rows" from "not allowed".
 */
export async function listMembers(
  db: Db,
  { orgId, actorId, limit = 50, cursor, now = new Date() }: { orgId: string; actorId: string; limit?: number; cursor?: string | null; now?: Date },
): Promise<{ items: MemberRow[]; nextCursor: string | null; total: number; seatsUsed: number } | null> {
  if (!isUuid(orgId) || !isUuid(actorId)) return null
  const size = Math.min(Math.max(limit, 1), 100)
  const after = decodeCursor(cursor)
  const memberCount = sql<number>`(select count(*) from memberships counted where counted.organization_id = ${orgId})`.mapWith(Number)
  const seatsUsed = seatsUsedSql(db, orgId, now)
  const rows = await db
    .select({
      id: memberships.id,
      userId: memberships.userId,
      name: users.name,
      email: users.email,
      role: memberships.role,
      permissions: memberships.permissions,
      joinedAt: memberships.joinedAt,
      total: memberCount,
      seatsUsed,
      // Uncorrelated, so evaluated once per query (an InitPlan), not per row.
      actorRole: sql<Role>`(select a.role from memberships a where a.organization_id = ${orgId} and a.user_id = ${actorId})`,
      actorPermissions: sql<string[]>`(select a.permissions from memberships a where a.organization_id = ${orgId} and a.user_id = ${actorId})`,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.organizationId, orgId),
        actorHolds(orgId, actorId, 'members:read'),
        after ? or(lt(memberships.joinedAt, after.at), and(eq(memberships.joinedAt, after.at), lt(memberships.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(memberships.joinedAt), desc(memberships.id))
    .limit(size + 1)
  if (rows.length === 0) {
    const [actor] = await db
      .select({ role: memberships.role, permissions: memberships.permissions, total: memberCount, seatsUsed })
      .from(memberships)
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    if (!actor || !hasPermission(actor, 'members:read')) return null
    return { items: [], nextCursor: null, total: actor.total, seatsUsed: actor.seatsUsed }
  }
  const page = rows.slice(0, size)
  const last = page[page.length - 1]
  const actor = { userId: actorId, role: rows[0].actorRole, permissions: rows[0].actorPermissions }
  return {
    items: page.map((r) => ({
      userId: r.userId,
      name: r.name,
      email: r.email,
      role: r.role,
      joinedAt: r.joinedAt,
      permissions: effectivePermissions(r.role, r.permissions),
      can: memberCapabilities(actor, r),
    })),
    nextCursor: rows.length > size && last ? encodeCursor(last.joinedAt, last.id) : null,
    total: rows[0].total,
    seatsUsed: rows[0].seatsUsed,
  }
}

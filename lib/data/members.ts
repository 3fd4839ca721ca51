import 'server-only'
import { and, count, desc, eq, lt, or } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, users } from '@/db/schema'
import { effectivePermissions, hasPermission, type OrgPermission, type Role } from '@/lib/permissions'
import { decodeCursor, encodeCursor } from './cursor'

export interface MemberRow {
  userId: string
  name: string | null
  email: string
  role: Role
  permissions: OrgPermission[]
  joinedAt: Date
}

/** The caller's role and permissions in the organization, or null when not a member. */
export async function getActorMembership(db: Db, { orgId, actorId }: { orgId: string; actorId: string }) {
  const [row] = await db
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    .limit(1)
  return row ?? null
}

/** One page of members, newest first; null when the caller lacks members:read. */
export async function listMembers(
  db: Db,
  { orgId, actorId, limit = 50, cursor }: { orgId: string; actorId: string; limit?: number; cursor?: string | null },
): Promise<{ items: MemberRow[]; nextCursor: string | null; total: number } | null> {
  const actor = await getActorMembership(db, { orgId, actorId })
  if (!actor || !hasPermission(actor, 'members:read')) return null
  const size = Math.min(Math.max(limit, 1), 100)
  const after = decodeCursor(cursor)
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({
        id: memberships.id,
        userId: memberships.userId,
        name: users.name,
        email: users.email,
        role: memberships.role,
        permissions: memberships.permissions,
        joinedAt: memberships.joinedAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(
        and(
          eq(memberships.organizationId, orgId),
          after ? or(lt(memberships.joinedAt, after.at), and(eq(memberships.joinedAt, after.at), lt(memberships.id, after.id))) : undefined,
        ),
      )
      .orderBy(desc(memberships.joinedAt), desc(memberships.id))
      .limit(size + 1),
    db.select({ total: count() }).from(memberships).where(eq(memberships.organizationId, orgId)),
  ])
  const page = rows.slice(0, size)
  const last = page[page.length - 1]
  return {
    items: page.map((r) => ({ userId: r.userId, name: r.name, email: r.email, role: r.role, joinedAt: r.joinedAt, permissions: effectivePermissions(r.role, r.permissions) })),
    nextCursor: rows.length > size && last ? encodeCursor(last.joinedAt, last.id) : null,
    total,
  }
}

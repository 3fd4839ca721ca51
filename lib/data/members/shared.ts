import 'server-only'
import { and, count, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, projectMembers, users } from '@/db/schema'
import { ALL_PERMISSIONS, type OrgPermission } from '@/lib/permissions'

// What the member operations share: their refusal shape and messages, and the reads and the
// delete they all make inside their transaction, after the organization lock (lockOrganization).

export type MemberFailure<E extends string> = { ok: false; error: E; message: string }

export const NOT_FOUND_MEMBER = 'This member was not found.'
export const NOT_FOUND_ORG = 'This organization was not found.'

export function sortPermissions(perms: readonly string[]): OrgPermission[] {
  return ALL_PERMISSIONS.filter((p) => perms.includes(p))
}

export async function readMember(tx: Db, orgId: string, userId: string) {
  const [row] = await tx
    .select({ role: memberships.role, permissions: memberships.permissions, email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId)))
  return row ?? null
}

export async function countOwners(tx: Db, orgId: string): Promise<number> {
  const [{ n }] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.role, 'owner')))
  return n
}

/** Deletes the membership and the user's project access in the organization; returns what was removed, for the audit event. */
export async function deleteMembership(tx: Db, orgId: string, userId: string) {
  const [removed] = await tx
    .delete(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId)))
    .returning({ role: memberships.role, permissions: memberships.permissions })
  if (!removed) return null
  const access = await tx
    .delete(projectMembers)
    .where(and(eq(projectMembers.organizationId, orgId), eq(projectMembers.userId, userId)))
    .returning({ projectId: projectMembers.projectId, level: projectMembers.level })
  return { role: removed.role, permissions: sortPermissions(removed.permissions), projectAccess: access }
}

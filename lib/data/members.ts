import 'server-only'
import { and, count, desc, eq, lt, ne, or, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, projectMembers, users } from '@/db/schema'
import {
  ALL_PERMISSIONS,
  canGrantAdminRole,
  checkGrant,
  effectivePermissions,
  grantablePermissions,
  hasPermission,
  leaveVerdict,
  memberCapabilities,
  type MemberCapabilities,
  type OrgPermission,
  type Role,
} from '@/lib/permissions'
import { recordAudit } from './audit'
import { actorHolds } from './permission-sql'
import { decodeCursor, encodeCursor } from './cursor'
import { isUuid } from './ids'
import { lockOrganization } from './organizations'

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

/** The caller's role and permissions in the organization, or null when not a member. */
export async function getActorMembership(db: Db, { orgId, actorId }: { orgId: string; actorId: string }) {
  const [row] = await db
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    .limit(1)
  return row ?? null
}

/**
 * One page of members, newest first, with how many there are; null when the caller lacks
 * members:read. One query (the caller's check and the count folded in); a second only when the
 * page comes back empty, to tell "no rows" from "not allowed" (with the count).
 */
export async function listMembers(
  db: Db,
  { orgId, actorId, limit = 50, cursor }: { orgId: string; actorId: string; limit?: number; cursor?: string | null },
): Promise<{ items: MemberRow[]; nextCursor: string | null; total: number } | null> {
  if (!isUuid(orgId) || !isUuid(actorId)) return null
  const size = Math.min(Math.max(limit, 1), 100)
  const after = decodeCursor(cursor)
  const memberCount = sql<number>`(select count(*) from memberships counted where counted.organization_id = ${orgId})`.mapWith(Number)
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
      .select({ role: memberships.role, permissions: memberships.permissions, total: memberCount })
      .from(memberships)
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    if (!actor || !hasPermission(actor, 'members:read')) return null
    return { items: [], nextCursor: null, total: actor.total }
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
  }
}

// ---------------------------------------------------------------------------------------------
// Changing, removing and promoting members (issue 4). Each function takes the organization lock
// first (lockOrganization), then reads the actor's membership inside the same transaction, so the
// last-owner rule and the actor's rights hold under concurrent requests.

type MemberFailure<E extends string> = { ok: false; error: E; message: string }

const NOT_FOUND_MEMBER = 'This member was not found.'
const NOT_FOUND_ORG = 'This organization was not found.'

function sortPermissions(perms: readonly string[]): OrgPermission[] {
  return ALL_PERMISSIONS.filter((p) => perms.includes(p))
}

async function readMember(tx: Db, orgId: string, userId: string) {
  const [row] = await tx
    .select({ role: memberships.role, permissions: memberships.permissions, email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId)))
  return row ?? null
}

async function countOwners(tx: Db, orgId: string): Promise<number> {
  const [{ n }] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.role, 'owner')))
  return n
}

export interface MemberForEdit {
  userId: string
  name: string | null
  email: string
  role: Role
  permissions: OrgPermission[]
  isSelf: boolean
  /** Whether the caller may change this member's role and permissions at all. */
  canEdit: boolean
  canRemove: boolean
  canMakeOwner: boolean
  /** What the caller may grant or take away (the checkboxes it may toggle). */
  grantablePermissions: OrgPermission[]
  canGrantAdmin: boolean
}

/** One member with what the caller may do to them; null when the caller lacks members:read or the user is not a member. */
export async function getMemberForEdit(db: Db, { orgId, actorId, userId }: { orgId: string; actorId: string; userId: string }): Promise<MemberForEdit | null> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(userId)) return null
  const actor = await getActorMembership(db, { orgId, actorId })
  if (!actor || !hasPermission(actor, 'members:read')) return null
  const member = await readMember(db, orgId, userId)
  if (!member) return null
  const isSelf = userId === actorId
  const can = memberCapabilities({ userId: actorId, ...actor }, { userId, ...member })
  return {
    userId,
    name: member.name,
    email: member.email,
    role: member.role,
    permissions: effectivePermissions(member.role, member.permissions),
    isSelf,
    canEdit: can.edit,
    canRemove: can.remove,
    canMakeOwner: can.makeOwner,
    grantablePermissions: grantablePermissions(actor),
    canGrantAdmin: canGrantAdminRole(actor),
  }
}

export type UpdateMemberAccessResult =
  | { ok: true }
  | (MemberFailure<'not_found' | 'forbidden' | 'self' | 'escalation' | 'owner'> & { field?: string })

/**
 * Changes another member's role (admin or member) and permissions. Needs
 * members:manage_permissions; nobody changes their own; an owner's membership only by an owner
 * (which may turn it into admin or member, never for the last owner). The caller may grant or
 * take away only what it holds: the union of the old and new access must pass checkGrant.
 */
export async function updateMemberAccess(
  db: Db,
  params: { orgId: string; actorId: string; userId: string; role: 'admin' | 'member'; permissions: string[] },
): Promise<UpdateMemberAccessResult> {
  const { orgId, actorId, userId, role } = params
  const permissions = [...new Set(params.permissions)]
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(userId)) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }

  return db.transaction(async (txAny): Promise<UpdateMemberAccessResult> => {
    const tx = txAny as unknown as Db
    if (!(await lockOrganization(tx, orgId))) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    const actor = await getActorMembership(tx, { orgId, actorId })
    if (!actor) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    if (!hasPermission(actor, 'members:manage_permissions')) {
      return { ok: false, error: 'forbidden', message: 'You do not have permission to change member permissions.' }
    }
    if (userId === actorId) return { ok: false, error: 'self', message: 'You cannot change your own permissions. Ask another admin.' }
    const target = await readMember(tx, orgId, userId)
    if (!target) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    if (target.role === 'owner') {
      if (actor.role !== 'owner') return { ok: false, error: 'owner', message: 'Only an owner can change an owner’s role or permissions.' }
      if ((await countOwners(tx, orgId)) <= 1) {
        return { ok: false, error: 'owner', message: 'The last owner cannot stop being an owner. Make someone else owner first.' }
      }
    }

    const before = { role: target.role, permissions: effectivePermissions(target.role, target.permissions) }
    const check = checkGrant(
      { role: actor.role, permissions: actor.permissions, projectLevels: new Map() },
      {
        role: role === 'admin' || before.role === 'admin' ? 'admin' : role,
        permissions: [...new Set([...permissions, ...(target.role === 'owner' ? [] : before.permissions)])],
        projectGrants: [],
      },
    )
    if (!check.ok) {
      const message =
        check.field === 'role' && role !== 'admin' ? 'Only an admin or an owner can change an admin’s role.' : check.message.replace('cannot grant', 'cannot grant or remove')
      return { ok: false, error: 'escalation', field: check.field, message }
    }

    const stored = role === 'admin' ? [] : sortPermissions(permissions)
    const after = { role, permissions: effectivePermissions(role, stored) }
    if (before.role === after.role && before.permissions.join() === after.permissions.join()) return { ok: true }

    const [changed] = await tx
      .update(memberships)
      .set({ role, permissions: stored })
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId), eq(memberships.role, target.role)))
      .returning({ id: memberships.id })
    if (!changed) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    await recordAudit(tx, {
      organizationId: orgId,
      actorId,
      action: 'member.permissions_changed',
      targetType: 'member',
      targetId: userId,
      data: { email: target.email, before, after },
    })
    return { ok: true }
  })
}

/** Deletes the membership and the user's project access in the organization; returns what was removed, for the audit event. */
async function deleteMembership(tx: Db, orgId: string, userId: string) {
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

export type RemoveMemberResult = { ok: true } | MemberFailure<'not_found' | 'forbidden' | 'self' | 'owner' | 'outranks' | 'last_owner'>

/**
 * Removes another member with their project access. Needs members:remove and the verdict of
 * memberCapabilities: nobody removes a member whose role or permissions exceed their own (an
 * admin only by an admin or owner, an owner only by an owner), and never the last owner. The audit event keeps their role and permissions, which a later
 * invitation to the same address offers again (getPreviousAccess).
 */
export async function removeMember(db: Db, { orgId, actorId, userId }: { orgId: string; actorId: string; userId: string }): Promise<RemoveMemberResult> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(userId)) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
  return db.transaction(async (txAny): Promise<RemoveMemberResult> => {
    const tx = txAny as unknown as Db
    if (!(await lockOrganization(tx, orgId))) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    const actor = await getActorMembership(tx, { orgId, actorId })
    if (!actor) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    if (!hasPermission(actor, 'members:remove')) return { ok: false, error: 'forbidden', message: 'You do not have permission to remove members.' }
    if (userId === actorId) return { ok: false, error: 'self', message: 'To remove yourself, leave the organization instead.' }
    const target = await readMember(tx, orgId, userId)
    if (!target) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    if (target.role === 'owner') {
      if (actor.role !== 'owner') return { ok: false, error: 'owner', message: 'Only an owner can remove an owner.' }
      if ((await countOwners(tx, orgId)) <= 1) return { ok: false, error: 'last_owner', message: 'The last owner cannot be removed.' }
    }
    if (!memberCapabilities({ userId: actorId, ...actor }, { userId, ...target }).remove) {
      const message =
        target.role === 'admin' ? 'Only an admin or an owner can remove an admin.' : 'You cannot remove a member who holds permissions you do not hold yourself.'
      return { ok: false, error: 'outranks', message }
    }
    const removed = await deleteMembership(tx, orgId, userId)
    if (!removed) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    await recordAudit(tx, {
      organizationId: orgId,
      actorId,
      action: 'member.removed',
      targetType: 'member',
      targetId: userId,
      data: { email: target.email, ...removed },
    })
    return { ok: true }
  })
}

export type LeaveOrganizationResult = { ok: true } | MemberFailure<'not_found' | 'last_owner'>

/** The caller leaves the organization, with its project access; the last owner cannot. */
export async function leaveOrganization(db: Db, { orgId, userId }: { orgId: string; userId: string }): Promise<LeaveOrganizationResult> {
  if (!isUuid(orgId) || !isUuid(userId)) return { ok: false, error: 'not_found', message: NOT_FOUND_ORG }
  return db.transaction(async (txAny): Promise<LeaveOrganizationResult> => {
    const tx = txAny as unknown as Db
    if (!(await lockOrganization(tx, orgId))) return { ok: false, error: 'not_found', message: NOT_FOUND_ORG }
    const me = await readMember(tx, orgId, userId)
    if (!me) return { ok: false, error: 'not_found', message: NOT_FOUND_ORG }
    const verdict = leaveVerdict({ role: me.role, otherOwners: me.role === 'owner' ? (await countOwners(tx, orgId)) - 1 : 0 })
    if (!verdict.ok) return { ok: false, error: 'last_owner', message: verdict.reason }
    const removed = await deleteMembership(tx, orgId, userId)
    if (!removed) return { ok: false, error: 'not_found', message: NOT_FOUND_ORG }
    await recordAudit(tx, {
      organizationId: orgId,
      actorId: userId,
      action: 'member.left',
      targetType: 'member',
      targetId: userId,
      data: { email: me.email, ...removed },
    })
    return { ok: true }
  })
}

export type MakeOwnerResult = { ok: true } | MemberFailure<'not_found' | 'forbidden' | 'self'>

/** Makes another member an owner; owners only. Making an owner owner again changes nothing. */
export async function makeOwner(db: Db, { orgId, actorId, userId }: { orgId: string; actorId: string; userId: string }): Promise<MakeOwnerResult> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(userId)) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
  return db.transaction(async (txAny): Promise<MakeOwnerResult> => {
    const tx = txAny as unknown as Db
    if (!(await lockOrganization(tx, orgId))) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    const actor = await getActorMembership(tx, { orgId, actorId })
    if (!actor) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    if (actor.role !== 'owner') return { ok: false, error: 'forbidden', message: 'Only an owner can make someone an owner.' }
    if (userId === actorId) return { ok: false, error: 'self', message: 'You are already an owner.' }
    const target = await readMember(tx, orgId, userId)
    if (!target) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    if (target.role === 'owner') return { ok: true }
    const [changed] = await tx
      .update(memberships)
      .set({ role: 'owner' })
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId), ne(memberships.role, 'owner')))
      .returning({ id: memberships.id })
    if (!changed) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    await recordAudit(tx, {
      organizationId: orgId,
      actorId,
      action: 'member.made_owner',
      targetType: 'member',
      targetId: userId,
      data: { email: target.email, before: { role: target.role, permissions: effectivePermissions(target.role, target.permissions) } },
    })
    return { ok: true }
  })
}

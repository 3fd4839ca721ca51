import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships } from '@/db/schema'
import { checkGrant, effectivePermissions, hasPermission, memberCapabilities } from '@/lib/permissions'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { lockOrganization } from '../organizations'
import { getActorMembership } from './get-actor-membership'
import { countOwners, type MemberFailure, NOT_FOUND_MEMBER, readMember, sortPermissions } from './shared'

export type UpdateMemberAccessResult =
  | { ok: true }
  | (MemberFailure<'not_found' | 'forbidden' | 'self' | 'escalation' | 'owner'> & { field?: string })

/**
 * Changes another member's role (admin or member) and permissions. Allowed exactly where
 * memberCapabilities says edit: members:manage_permissions, never oneself, never a member above
 * the caller (an owner only by an owner, never the last one). The caller may grant or take away
 * only what it holds: the union of the old and new access must pass checkGrant. The checks
 * before the verdict are there to say why it is no.
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
    if (!memberCapabilities({ userId: actorId, ...actor }, { userId, ...target }).edit) {
      return { ok: false, error: 'escalation', message: 'You cannot change a member whose role or permissions exceed your own.' }
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

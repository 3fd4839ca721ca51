import 'server-only'
import type { Db } from '@/db/client'
import { hasPermission, memberCapabilities } from '@/lib/permissions'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { lockOrganization } from '../organizations'
import { getActorMembership } from './get-actor-membership'
import { countOwners, deleteMembership, type MemberFailure, NOT_FOUND_MEMBER, readMember } from './shared'

export type RemoveMemberResult = { ok: true } | MemberFailure<'not_found' | 'forbidden' | 'self' | 'owner' | 'outranks' | 'last_owner'>

/**
 * Removes another member with their project access. Allowed exactly where memberCapabilities
 * says remove: members:remove, never oneself, nobody whose role or permissions exceed the
 * caller's (an admin only by an admin or owner, an owner only by an owner); and never the last
 * owner. The audit event keeps their role and permissions, which a later invitation to the same
 * address offers again (getPreviousAccess).
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

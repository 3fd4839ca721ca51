import 'server-only'
import { and, eq, ne } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships } from '@/db/schema'
import { effectivePermissions, memberCapabilities } from '@/lib/permissions'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { lockOrganization } from '../organizations'
import { getActorMembership } from './get-actor-membership'
import { type MemberFailure, NOT_FOUND_MEMBER, readMember } from './shared'

export type MakeOwnerResult = { ok: true } | MemberFailure<'not_found' | 'forbidden' | 'self'>

const OWNERS_ONLY = 'Only an owner can make someone an owner.'

/**
 * Makes another member an owner, where memberCapabilities says makeOwner (owners only, never
 * oneself). Making an owner owner again changes nothing. A non-owner is refused before the
 * target is looked up, so it learns nothing about who is a member.
 */
export async function makeOwner(db: Db, { orgId, actorId, userId }: { orgId: string; actorId: string; userId: string }): Promise<MakeOwnerResult> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(userId)) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
  return db.transaction(async (txAny): Promise<MakeOwnerResult> => {
    const tx = txAny as unknown as Db
    if (!(await lockOrganization(tx, orgId))) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    const actor = await getActorMembership(tx, { orgId, actorId })
    if (!actor) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    if (actor.role !== 'owner') return { ok: false, error: 'forbidden', message: OWNERS_ONLY }
    if (userId === actorId) return { ok: false, error: 'self', message: 'You are already an owner.' }
    const target = await readMember(tx, orgId, userId)
    if (!target) return { ok: false, error: 'not_found', message: NOT_FOUND_MEMBER }
    if (target.role === 'owner') return { ok: true }
    if (!memberCapabilities({ userId: actorId, ...actor }, { userId, ...target }).makeOwner) return { ok: false, error: 'forbidden', message: OWNERS_ONLY }
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

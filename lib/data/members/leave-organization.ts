import 'server-only'
import type { Db } from '@/db/client'
import { leaveVerdict } from '@/lib/permissions'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { lockOrganization } from '../organizations'
import { countOwners, deleteMembership, type MemberFailure, NOT_FOUND_ORG, readMember } from './shared'

export type LeaveOrganizationResult = { ok: true } | MemberFailure<'not_found' | 'last_owner'>

/** The caller leaves the organization, with its project access, where leaveVerdict allows: anyone but the last owner. */
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

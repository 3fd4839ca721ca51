import 'server-only'
import type { Db } from '@/db/client'
import { canGrantAdminRole, effectivePermissions, grantablePermissions, hasPermission, memberCapabilities, type OrgPermission, type Role } from '@/lib/permissions'
import { isUuid } from '../ids'
import { getActorMembership } from './get-actor-membership'
import { readMember } from './shared'

export interface MemberForEdit {
  userId: string
  name: string | null
  email: string
  role: Role
  permissions: OrgPermission[]
  isSelf: boolean
  /** memberCapabilities' verdict, as listMembers returns it per row. */
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
  const can = memberCapabilities({ userId: actorId, ...actor }, { userId, ...member })
  return {
    userId,
    name: member.name,
    email: member.email,
    role: member.role,
    permissions: effectivePermissions(member.role, member.permissions),
    isSelf: userId === actorId,
    canEdit: can.edit,
    canRemove: can.remove,
    canMakeOwner: can.makeOwner,
    grantablePermissions: grantablePermissions(actor),
    canGrantAdmin: canGrantAdminRole(actor),
  }
}

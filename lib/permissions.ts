export const ORG_PERMISSIONS = [
  { key: 'members:read', label: 'View members' },
  { key: 'members:invite', label: 'Invite members' },
  { key: 'members:remove', label: 'Remove members' },
  { key: 'members:manage_permissions', label: 'Manage member permissions' },
  { key: 'projects:create', label: 'Create projects' },
  { key: 'projects:manage_all', label: 'Manage all projects' },
] as const

export type OrgPermission = (typeof ORG_PERMISSIONS)[number]['key']
export type Role = 'owner' | 'admin' | 'member'
export type ProjectLevel = 'view' | 'edit' | 'admin'

export const ALL_PERMISSIONS: OrgPermission[] = ORG_PERMISSIONS.map((p) => p.key)
const PROJECT_LEVELS: ProjectLevel[] = ['view', 'edit', 'admin']

function isOrgPermission(value: string): value is OrgPermission {
  return (ALL_PERMISSIONS as string[]).includes(value)
}

export function permissionLabel(key: string): string {
  return ORG_PERMISSIONS.find((p) => p.key === key)?.label ?? key
}

/** What a member may do: owners and admins hold every permission, members what they were granted. */
export function effectivePermissions(role: Role, granted: readonly string[]): OrgPermission[] {
  if (role === 'owner' || role === 'admin') return [...ALL_PERMISSIONS]
  return ALL_PERMISSIONS.filter((p) => granted.includes(p))
}

export function hasPermission(member: { role: Role; permissions: readonly string[] }, permission: OrgPermission): boolean {
  return effectivePermissions(member.role, member.permissions).includes(permission)
}

export const PROJECT_LEVEL_RANK: Record<ProjectLevel, number> = { view: 1, edit: 2, admin: 3 }

export function isProjectLevel(value: string): value is ProjectLevel {
  return (PROJECT_LEVELS as string[]).includes(value)
}

/** Whether level `a` includes everything level `b` allows. */
export function levelAtLeast(a: ProjectLevel, b: ProjectLevel): boolean {
  return PROJECT_LEVEL_RANK[a] >= PROJECT_LEVEL_RANK[b]
}

export interface Grantor {
  role: Role
  permissions: readonly string[]
  /** The grantor's own level on the projects concerned (others may be absent). */
  projectLevels: ReadonlyMap<string, ProjectLevel>
}

export interface Grant {
  role: 'admin' | 'member'
  permissions: readonly string[]
  projectGrants: readonly { projectId: string; level: ProjectLevel }[]
}

export type GrantCheck = { ok: true } | { ok: false; field: 'role' | 'permissions' | 'projectGrants'; message: string }

/**
 * A member's level on a project: admin on every project for owners, admins and holders of
 * projects:manage_all, otherwise the level granted on it (null: none, the project is hidden).
 */
export function effectiveProjectLevel(member: { role: Role; permissions: readonly string[] }, granted: ProjectLevel | null): ProjectLevel | null {
  if (member.role === 'owner' || hasPermission(member, 'projects:manage_all')) return 'admin'
  return granted
}

/** The grantor's level on a project: admin everywhere for owners, admins and holders of projects:manage_all. */
export function grantorProjectLevel(grantor: Grantor, projectId: string): ProjectLevel | null {
  return effectiveProjectLevel(grantor, grantor.projectLevels.get(projectId) ?? null)
}

/** The organization permissions the grantor may hand out (which invite checkboxes are enabled). */
export function grantablePermissions(grantor: Pick<Grantor, 'role' | 'permissions'>): OrgPermission[] {
  return effectivePermissions(grantor.role, grantor.permissions)
}

/** Whether the grantor may offer the admin role. */
export function canGrantAdminRole(grantor: Pick<Grantor, 'role'>): boolean {
  return grantor.role === 'owner' || grantor.role === 'admin'
}

/**
 * The no-escalation rule (DESIGN.md section 3, rule 1), checked when an invitation is made and
 * again when it is accepted: a grant may hold only what the grantor holds. Owners are exempt.
 * Unknown permission keys, levels and roles are refused for everyone, owners included.
 */
export function checkGrant(grantor: Grantor, grant: Grant): GrantCheck {
  if (grant.role !== 'admin' && grant.role !== 'member') return { ok: false, field: 'role', message: 'Choose a role.' }
  const unknown = grant.permissions.find((p) => !isOrgPermission(p))
  if (unknown !== undefined) return { ok: false, field: 'permissions', message: `“${unknown}” is not a permission.` }
  if (grant.projectGrants.some((g) => !isProjectLevel(g.level))) {
    return { ok: false, field: 'projectGrants', message: 'Choose view, edit or admin for each project.' }
  }
  if (grantor.role === 'owner') return { ok: true }

  if (grant.role === 'admin' && !canGrantAdminRole(grantor)) {
    return { ok: false, field: 'role', message: 'Only an admin or an owner can make someone an admin.' }
  }
  const held = grantablePermissions(grantor)
  const missing = grant.permissions.find((p) => !(held as string[]).includes(p))
  if (missing !== undefined) {
    return {
      ok: false,
      field: 'permissions',
      message: `You cannot grant “${permissionLabel(missing)}” because you do not hold it yourself.`,
    }
  }
  for (const g of grant.projectGrants) {
    const own = grantorProjectLevel(grantor, g.projectId)
    if (!own || !levelAtLeast(own, g.level)) {
      return {
        ok: false,
        field: 'projectGrants',
        message: own
          ? `You can grant at most ${own} access to a project where you have ${own} access.`
          : 'You cannot grant access to a project you have no access to.',
      }
    }
  }
  return { ok: true }
}

export interface MemberRef {
  userId: string
  role: Role
  permissions: readonly string[]
}

export interface MemberCapabilities {
  edit: boolean
  remove: boolean
  makeOwner: boolean
}

const ROLE_RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 }

/** Whether the target holds a role above the actor's, or (between members) a permission the actor lacks. */
function outranks(target: Omit<MemberRef, 'userId'>, actor: Omit<MemberRef, 'userId'>): boolean {
  if (ROLE_RANK[target.role] !== ROLE_RANK[actor.role]) return ROLE_RANK[target.role] > ROLE_RANK[actor.role]
  const held = effectivePermissions(actor.role, actor.permissions)
  return effectivePermissions(target.role, target.permissions).some((p) => !held.includes(p))
}

/**
 * What an actor may do to another member (DESIGN.md section 3, rules 2, 4 and 5): the one place
 * the rule lives. Removal has the same ceiling as editing (issue 15, item 6: a holder of Remove
 * members could remove an admin it could not edit). The last-owner rule needs a count and stays
 * in the data layer; an owner acting on another owner means there are two.
 */
export function memberCapabilities(actor: MemberRef, target: MemberRef): MemberCapabilities {
  const isSelf = actor.userId === target.userId
  const isAbove = outranks(target, actor)
  return {
    edit: !isSelf && !isAbove && hasPermission(actor, 'members:manage_permissions'),
    remove: !isSelf && !isAbove && hasPermission(actor, 'members:remove'),
    makeOwner: !isSelf && actor.role === 'owner' && target.role !== 'owner',
  }
}

export type Verdict = { ok: true } | { ok: false; reason: string }

/**
 * Whether a member may leave the organization: anyone but its last owner (DESIGN.md section 3).
 * leaveOrganization enforces it; the Members tab shows the same verdict, reason included.
 */
export function leaveVerdict(me: { role: Role; otherOwners: number }): Verdict {
  if (me.role === 'owner' && me.otherOwners < 1) return { ok: false, reason: 'You are the last owner. Make someone else owner before you leave.' }
  return { ok: true }
}

/**
 * Whether an invitation's inviter may still hand out what it offers: still a member holding
 * members:invite, and the offer passes checkGrant against what the inviter holds now. Accepting
 * enforces it (rule 1, checked again at accept); every place that offers or lists the invitation
 * shows the same verdict (issue 14). Null inviter: no longer a member.
 */
export function canInviterStillGrant(inviter: Grantor | null, offer: Grant): boolean {
  return inviter !== null && hasPermission(inviter, 'members:invite') && checkGrant(inviter, offer).ok
}

export interface InvitationCapabilities {
  resend: boolean
  revoke: boolean
  edit: boolean
}

/**
 * What an actor may do to an invitation of its organization (DESIGN.md section 4, rule 5 of
 * section 3): resend and revoke while it is open (pending, or expired: a resend renews it), edit
 * only while it can still be accepted (an expired one is resent first, then changed). All three
 * need members:invite; what an edit may offer is checkGrant's, what a resend may cost the send
 * limits'. Answered and revoked invitations never move again.
 */
export function invitationCapabilities(
  actor: { role: Role; permissions: readonly string[] },
  invitation: { status: string; expiresAt: Date },
  now: Date = new Date(),
): InvitationCapabilities {
  const mayInvite = hasPermission(actor, 'members:invite')
  const isOpen = invitation.status === 'pending' || invitation.status === 'expired'
  const isLive = invitation.status === 'pending' && invitation.expiresAt > now
  return { resend: mayInvite && isOpen, revoke: mayInvite && isOpen, edit: mayInvite && isLive }
}

export interface ProjectCapabilities {
  view: boolean
  edit: boolean
  manageAccess: boolean
  rename: boolean
  delete: boolean
}

/**
 * What an actor may do to a project, from its level on it (effectiveProjectLevel; null: none):
 * view sees it, edit changes its content, admin also manages who has access, renames and deletes
 * it (DESIGN.md section 3). How high a level the actor may grant is checkGrant's rule.
 */
export function projectCapabilities(level: ProjectLevel | null): ProjectCapabilities {
  const isAtLeast = (wanted: ProjectLevel) => level !== null && levelAtLeast(level, wanted)
  return { view: isAtLeast('view'), edit: isAtLeast('edit'), manageAccess: isAtLeast('admin'), rename: isAtLeast('admin'), delete: isAtLeast('admin') }
}

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
export const PROJECT_LEVELS: ProjectLevel[] = ['view', 'edit', 'admin']

export function isOrgPermission(value: string): value is OrgPermission {
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

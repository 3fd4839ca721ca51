import { describe, expect, it } from 'vitest'
import {
  ALL_PERMISSIONS,
  PROJECT_LEVEL_RANK,
  checkGrant,
  effectiveProjectLevel,
  grantablePermissions,
  grantorProjectLevel,
  levelAtLeast,
  invitationCapabilities,
  memberCapabilities,
  projectCapabilities,
  type Grant,
  type Grantor,
  type ProjectLevel,
  type Role,
} from './permissions'

const P1 = '6f1c1d3e-8a7b-4c1d-9e2f-0a1b2c3d4e5f'
const P2 = '7a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d'

function grantor(role: Grantor['role'], permissions: string[] = [], levels: [string, ProjectLevel][] = []): Grantor {
  return { role, permissions, projectLevels: new Map(levels) }
}
function grant(partial: Partial<Grant> = {}): Grant {
  return { role: 'member', permissions: [], projectGrants: [], ...partial }
}

describe('project levels', () => {
  it('orders view < edit < admin', () => {
    expect(PROJECT_LEVEL_RANK.view).toBeLessThan(PROJECT_LEVEL_RANK.edit)
    expect(PROJECT_LEVEL_RANK.edit).toBeLessThan(PROJECT_LEVEL_RANK.admin)
    expect(levelAtLeast('admin', 'view')).toBe(true)
    expect(levelAtLeast('edit', 'edit')).toBe(true)
    expect(levelAtLeast('view', 'edit')).toBe(false)
  })
})

describe('grantablePermissions', () => {
  it('gives owners and admins all six, members what they hold', () => {
    expect(grantablePermissions(grantor('owner'))).toEqual(ALL_PERMISSIONS)
    expect(grantablePermissions(grantor('admin'))).toEqual(ALL_PERMISSIONS)
    expect(grantablePermissions(grantor('member', ['members:invite', 'members:read', 'bogus']))).toEqual(['members:read', 'members:invite'])
  })
})

describe('grantorProjectLevel', () => {
  it('counts owners, admins and projects:manage_all as admin on every project', () => {
    expect(grantorProjectLevel(grantor('owner'), P1)).toBe('admin')
    expect(grantorProjectLevel(grantor('admin'), P1)).toBe('admin')
    expect(grantorProjectLevel(grantor('member', ['projects:manage_all']), P1)).toBe('admin')
    expect(grantorProjectLevel(grantor('member', [], [[P1, 'edit']]), P1)).toBe('edit')
    expect(grantorProjectLevel(grantor('member', [], [[P1, 'edit']]), P2)).toBeNull()
  })
})

describe('checkGrant', () => {
  const inviter = grantor('member', ['members:invite', 'members:read'], [[P1, 'edit']])

  it('allows what the grantor holds', () => {
    expect(checkGrant(inviter, grant({ permissions: ['members:read', 'members:invite'], projectGrants: [{ projectId: P1, level: 'edit' }] }))).toEqual({ ok: true })
    expect(checkGrant(inviter, grant({ projectGrants: [{ projectId: P1, level: 'view' }] }))).toEqual({ ok: true })
  })

  it('refuses the admin role to a member', () => {
    const r = checkGrant(grantor('member', ALL_PERMISSIONS), grant({ role: 'admin' }))
    expect(r).toMatchObject({ ok: false, field: 'role' })
  })

  it('lets an admin make admins and grant every permission', () => {
    expect(checkGrant(grantor('admin'), grant({ role: 'admin', permissions: ALL_PERMISSIONS }))).toEqual({ ok: true })
  })

  it('refuses a permission the grantor does not hold, naming it', () => {
    const r = checkGrant(inviter, grant({ permissions: ['members:read', 'projects:create'] }))
    expect(r).toEqual({ ok: false, field: 'permissions', message: 'You cannot grant “Create projects” because you do not hold it yourself.' })
  })

  it('refuses a project level above the grantor’s own, and projects the grantor has no access to', () => {
    expect(checkGrant(inviter, grant({ projectGrants: [{ projectId: P1, level: 'admin' }] }))).toMatchObject({ ok: false, field: 'projectGrants' })
    expect(checkGrant(inviter, grant({ projectGrants: [{ projectId: P2, level: 'view' }] }))).toMatchObject({ ok: false, field: 'projectGrants' })
  })

  it('treats projects:manage_all and admins as admin on every project', () => {
    const manager = grantor('member', ['projects:manage_all'])
    expect(checkGrant(manager, grant({ projectGrants: [{ projectId: P2, level: 'admin' }] }))).toEqual({ ok: true })
    expect(checkGrant(grantor('admin'), grant({ projectGrants: [{ projectId: P2, level: 'admin' }] }))).toEqual({ ok: true })
  })

  it('exempts owners', () => {
    expect(checkGrant(grantor('owner'), grant({ role: 'admin', permissions: ALL_PERMISSIONS, projectGrants: [{ projectId: P2, level: 'admin' }] }))).toEqual({ ok: true })
  })

  it('refuses unknown permissions, levels and roles to everyone, owners included', () => {
    const owner = grantor('owner')
    expect(checkGrant(owner, grant({ permissions: ['org:delete'] }))).toMatchObject({ ok: false, field: 'permissions' })
    expect(checkGrant(owner, grant({ projectGrants: [{ projectId: P1, level: 'root' as ProjectLevel }] }))).toMatchObject({ ok: false, field: 'projectGrants' })
    expect(checkGrant(owner, grant({ role: 'owner' as 'admin' }))).toMatchObject({ ok: false, field: 'role' })
  })
})

describe('memberCapabilities', () => {
  const ref = (userId: string, role: Role, permissions: string[] = []) => ({ userId, role, permissions })
  const remover = ref('r', 'member', ['members:read', 'members:remove'])

  it('lets nobody remove or edit a member whose role or permissions exceed their own (issue 15, item 6)', () => {
    expect(memberCapabilities(remover, ref('a', 'admin')).remove).toBe(false)
    expect(memberCapabilities(remover, ref('o', 'owner')).remove).toBe(false)
    expect(memberCapabilities(remover, ref('m', 'member', ['members:invite'])).remove).toBe(false)
    expect(memberCapabilities(remover, ref('m', 'member', ['members:read'])).remove).toBe(true)
    expect(memberCapabilities(remover, ref('m', 'member', ['bogus'])).remove).toBe(true)
    const manager = ref('g', 'member', ['members:manage_permissions'])
    expect(memberCapabilities(manager, ref('a', 'admin')).edit).toBe(false)
    expect(memberCapabilities(manager, ref('m', 'member', ['members:remove'])).edit).toBe(false)
    expect(memberCapabilities(manager, ref('m', 'member')).edit).toBe(true)
  })

  it('lets admins act on admins and members, owners on everyone, nobody on themselves', () => {
    const admin = ref('a', 'admin')
    const owner = ref('o', 'owner')
    expect(memberCapabilities(admin, ref('a2', 'admin'))).toEqual({ edit: true, remove: true, makeOwner: false })
    expect(memberCapabilities(admin, ref('o2', 'owner'))).toEqual({ edit: false, remove: false, makeOwner: false })
    expect(memberCapabilities(owner, ref('o2', 'owner'))).toEqual({ edit: true, remove: true, makeOwner: false })
    expect(memberCapabilities(owner, ref('m', 'member'))).toEqual({ edit: true, remove: true, makeOwner: true })
    expect(memberCapabilities(owner, ref('o', 'owner'))).toEqual({ edit: false, remove: false, makeOwner: false })
    expect(memberCapabilities(remover, ref('r', 'member', ['members:read', 'members:remove']))).toEqual({ edit: false, remove: false, makeOwner: false })
  })

  it('needs the permission itself', () => {
    expect(memberCapabilities(ref('x', 'member', ['members:read']), ref('m', 'member'))).toEqual({ edit: false, remove: false, makeOwner: false })
  })
})

describe('invitationCapabilities', () => {
  const now = new Date('2026-01-10T12:00:00Z')
  const inviter = { role: 'member' as const, permissions: ['members:invite'] }
  const live = { status: 'pending', expiresAt: new Date('2026-01-11T00:00:00Z') }
  const lapsed = { status: 'pending', expiresAt: new Date('2026-01-10T12:00:00Z') }

  it('lets a holder of Invite members resend, revoke and edit a live invitation', () => {
    expect(invitationCapabilities(inviter, live, now)).toEqual({ resend: true, revoke: true, edit: true })
    expect(invitationCapabilities({ role: 'admin', permissions: [] }, live, now)).toEqual({ resend: true, revoke: true, edit: true })
  })

  it('offers an expired one only resend and revoke, whether the sweep has marked it or not', () => {
    expect(invitationCapabilities(inviter, lapsed, now)).toEqual({ resend: true, revoke: true, edit: false })
    expect(invitationCapabilities(inviter, { ...live, status: 'expired' }, now)).toEqual({ resend: true, revoke: true, edit: false })
  })

  it('offers nothing on answered or revoked invitations, nor to a member without Invite members', () => {
    for (const status of ['accepted', 'declined', 'revoked']) {
      expect(invitationCapabilities(inviter, { ...live, status }, now)).toEqual({ resend: false, revoke: false, edit: false })
    }
    expect(invitationCapabilities({ role: 'member', permissions: ['members:read'] }, live, now)).toEqual({ resend: false, revoke: false, edit: false })
  })
})

describe('projectCapabilities', () => {
  it('grows with the level: view sees, edit changes content, admin manages access, renames and deletes', () => {
    expect(projectCapabilities(null)).toEqual({ view: false, edit: false, manageAccess: false, rename: false, delete: false })
    expect(projectCapabilities('view')).toEqual({ view: true, edit: false, manageAccess: false, rename: false, delete: false })
    expect(projectCapabilities('edit')).toEqual({ view: true, edit: true, manageAccess: false, rename: false, delete: false })
    expect(projectCapabilities('admin')).toEqual({ view: true, edit: true, manageAccess: true, rename: true, delete: true })
  })

  it('counts owners, admins and projects:manage_all as admin on every project, members by their grant', () => {
    expect(effectiveProjectLevel({ role: 'owner', permissions: [] }, null)).toBe('admin')
    expect(effectiveProjectLevel({ role: 'admin', permissions: [] }, 'view')).toBe('admin')
    expect(effectiveProjectLevel({ role: 'member', permissions: ['projects:manage_all'] }, null)).toBe('admin')
    expect(effectiveProjectLevel({ role: 'member', permissions: ['projects:create'] }, 'edit')).toBe('edit')
    expect(effectiveProjectLevel({ role: 'member', permissions: [] }, null)).toBeNull()
  })
})

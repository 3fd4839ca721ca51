import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { memberships, projectMembers } from '@/db/schema'
import { ALL_PERMISSIONS } from '@/lib/permissions'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { getMemberForEdit } from './members/get-member-for-edit'
import { leaveOrganization } from './members/leave-organization'
import { makeOwner } from './members/make-owner'
import { removeMember } from './members/remove-member'
import { updateMemberAccess } from './members/update-member-access'
import { addMember, addProject, createWorld, membershipOf, setProjectLevel, uniqueEmail } from './invitations.test-support'
import { auditOf, snapshot } from './members.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())


/** A world with a manager holding members:manage_permissions plus two other permissions. */
async function world() {
  const w = await createWorld(t.db)
  const manager = await addMember(t.db, w.org.id, 'member', ['members:read', 'members:manage_permissions', 'members:invite'])
  const remover = await addMember(t.db, w.org.id, 'member', ['members:read', 'members:remove'])
  return { ...w, manager, remover }
}

async function expectRefusal<T extends { ok: boolean }>(run: () => Promise<T>, expected: Record<string, unknown>) {
  const before = await snapshot(t.db)
  const result = await run()
  expect(result).toMatchObject({ ok: false, ...expected })
  expect((result as unknown as { message: string }).message).toBeTruthy()
  expect(await snapshot(t.db)).toEqual(before)
  return result
}

describe('updateMemberAccess', () => {
  it('lets a holder of members:manage_permissions grant and take away what it holds, with an audit event', async () => {
    const w = await world()
    const target = await addMember(t.db, w.org.id, 'member', ['members:read'])
    const r = await updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: target.id, role: 'member', permissions: ['members:invite'] })
    expect(r).toEqual({ ok: true })
    expect(await membershipOf(t.db, w.org.id, target.id)).toEqual({ role: 'member', permissions: ['members:invite'] })
    const [event] = await auditOf(t.db, w.org.id, 'member.permissions_changed')
    expect(event).toMatchObject({
      actorId: w.manager.id,
      targetType: 'member',
      targetId: target.id,
      data: { email: target.email, before: { role: 'member', permissions: ['members:read'] }, after: { role: 'member', permissions: ['members:invite'] } },
    })
  })

  it('lets an admin make a member admin, and an owner turn an admin back into a member', async () => {
    const w = await world()
    expect(await updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.admin.id, userId: w.member.id, role: 'admin', permissions: [] })).toEqual({ ok: true })
    expect((await membershipOf(t.db, w.org.id, w.member.id))?.role).toBe('admin')
    expect(await updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.member.id, role: 'member', permissions: ['projects:create'] })).toEqual({ ok: true })
    expect(await membershipOf(t.db, w.org.id, w.member.id)).toEqual({ role: 'member', permissions: ['projects:create'] })
  })

  it('changes nothing and records nothing when nothing changes', async () => {
    const w = await world()
    const target = await addMember(t.db, w.org.id, 'member', ['members:read'])
    await expect(updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: target.id, role: 'member', permissions: ['members:read'] })).resolves.toEqual({ ok: true })
    expect(await auditOf(t.db, w.org.id, 'member.permissions_changed')).toEqual([])
  })

  it('refuses a stranger and another organization’s member as not found', async () => {
    const w = await world()
    const other = await world()
    const stranger = await createUser(t.db)
    for (const actorId of [stranger.id, other.owner.id]) {
      await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId, userId: w.member.id, role: 'member', permissions: [] }), { error: 'not_found' })
    }
    // Another organization's member as the target, by an owner of this one.
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: other.member.id, role: 'member', permissions: [] }), {
      error: 'not_found',
    })
  })

  it('refuses a member without members:manage_permissions', async () => {
    const w = await world()
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.inviter.id, userId: w.member.id, role: 'member', permissions: [] }), {
      error: 'forbidden',
    })
  })

  it('refuses changing one’s own access, even for an owner', async () => {
    const w = await world()
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: w.manager.id, role: 'member', permissions: ALL_PERMISSIONS }), {
      error: 'self',
    })
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.owner.id, role: 'member', permissions: [] }), { error: 'self' })
  })

  it('refuses granting what the caller does not hold, and taking it away', async () => {
    const w = await world()
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: w.member.id, role: 'member', permissions: ['members:remove'] }), {
      error: 'escalation',
      field: 'permissions',
    })
    const holder = await addMember(t.db, w.org.id, 'member', ['projects:manage_all', 'members:read'])
    const r = await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: holder.id, role: 'member', permissions: ['members:read'] }), {
      error: 'escalation',
      field: 'permissions',
    })
    expect((r as { message: string }).message).toContain('Manage all projects')
  })

  it('refuses making someone admin, or demoting an admin, to a non-admin', async () => {
    const w = await world()
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: w.member.id, role: 'admin', permissions: [] }), {
      error: 'escalation',
      field: 'role',
    })
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: w.admin.id, role: 'member', permissions: [] }), {
      error: 'escalation',
      field: 'role',
    })
  })

  it('lets only an owner change an owner, and never the last one', async () => {
    const w = await world()
    const second = await addMember(t.db, w.org.id, 'member')
    expect(await makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: second.id })).toEqual({ ok: true })
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.admin.id, userId: w.owner.id, role: 'member', permissions: [] }), { error: 'owner' })
    expect(await updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: second.id, role: 'admin', permissions: [] })).toEqual({ ok: true })
    expect((await membershipOf(t.db, w.org.id, second.id))?.role).toBe('admin')
  })

  it('refuses unknown permissions and roles (bad input)', async () => {
    const w = await world()
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.member.id, role: 'member', permissions: ['billing:all'] }), {
      error: 'escalation',
      field: 'permissions',
    })
    await expectRefusal(
      () => updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.member.id, role: 'owner' as 'admin', permissions: [] }),
      { error: 'escalation', field: 'role' },
    )
    await expectRefusal(() => updateMemberAccess(t.db, { orgId: 'not-a-uuid', actorId: w.owner.id, userId: w.member.id, role: 'member', permissions: [] }), {
      error: 'not_found',
    })
  })
})

describe('removeMember', () => {
  it('removes a member with their project access, and records their access for a later re-invite', async () => {
    const w = await world()
    const project = await addProject(t.db, w.org.id)
    // Within the remover's own rights (a member holding more is refused: members.ceiling.test.ts).
    const target = await addMember(t.db, w.org.id, 'member', ['members:read', 'members:remove'])
    await setProjectLevel(t.db, w.org.id, project.id, target.id, 'edit')
    // Their access to another organization's project stays.
    const other = await world()
    await t.db.insert(memberships).values({ organizationId: other.org.id, userId: target.id, role: 'member', permissions: [] })
    const otherProject = await addProject(t.db, other.org.id)
    await setProjectLevel(t.db, other.org.id, otherProject.id, target.id, 'view')

    expect(await removeMember(t.db, { orgId: w.org.id, actorId: w.remover.id, userId: target.id })).toEqual({ ok: true })
    expect(await membershipOf(t.db, w.org.id, target.id)).toBeNull()
    expect(await t.db.select().from(projectMembers).where(eq(projectMembers.userId, target.id))).toHaveLength(1)
    expect(await membershipOf(t.db, other.org.id, target.id)).not.toBeNull()
    const [event] = await auditOf(t.db, w.org.id, 'member.removed')
    expect(event).toMatchObject({
      actorId: w.remover.id,
      targetId: target.id,
      data: { email: target.email, role: 'member', permissions: ['members:read', 'members:remove'], projectAccess: [{ projectId: project.id, level: 'edit' }] },
    })
  })

  it('refuses a stranger, another organization’s owner and a target of another organization as not found', async () => {
    const w = await world()
    const other = await world()
    const stranger = await createUser(t.db)
    for (const actorId of [stranger.id, other.owner.id]) {
      await expectRefusal(() => removeMember(t.db, { orgId: w.org.id, actorId, userId: w.member.id }), { error: 'not_found' })
    }
    await expectRefusal(() => removeMember(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: other.member.id }), { error: 'not_found' })
    await expectRefusal(() => removeMember(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: 'nope' }), { error: 'not_found' })
  })

  it('refuses a member without members:remove, removing oneself, and an owner by a non-owner', async () => {
    const w = await world()
    await expectRefusal(() => removeMember(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: w.member.id }), { error: 'forbidden' })
    await expectRefusal(() => removeMember(t.db, { orgId: w.org.id, actorId: w.remover.id, userId: w.remover.id }), { error: 'self' })
    await expectRefusal(() => removeMember(t.db, { orgId: w.org.id, actorId: w.admin.id, userId: w.owner.id }), { error: 'owner' })
  })

  it('lets an owner remove another owner', async () => {
    const w = await world()
    await makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.admin.id })
    expect(await removeMember(t.db, { orgId: w.org.id, actorId: w.admin.id, userId: w.owner.id })).toEqual({ ok: true })
    expect(await membershipOf(t.db, w.org.id, w.owner.id)).toBeNull()
  })
})

describe('leaveOrganization', () => {
  it('lets a member leave with their project access, recorded as member.left', async () => {
    const w = await world()
    const project = await addProject(t.db, w.org.id)
    await setProjectLevel(t.db, w.org.id, project.id, w.member.id, 'view')
    expect(await leaveOrganization(t.db, { orgId: w.org.id, userId: w.member.id })).toEqual({ ok: true })
    expect(await membershipOf(t.db, w.org.id, w.member.id)).toBeNull()
    expect(await t.db.select().from(projectMembers).where(and(eq(projectMembers.userId, w.member.id), eq(projectMembers.organizationId, w.org.id)))).toEqual([])
    const [event] = await auditOf(t.db, w.org.id, 'member.left')
    expect(event).toMatchObject({ actorId: w.member.id, targetId: w.member.id, data: { email: w.member.email, role: 'member', permissions: [] } })
  })

  it('refuses the last owner, and lets an owner leave when another remains', async () => {
    const w = await world()
    await expectRefusal(() => leaveOrganization(t.db, { orgId: w.org.id, userId: w.owner.id }), { error: 'last_owner' })
    await makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.admin.id })
    expect(await leaveOrganization(t.db, { orgId: w.org.id, userId: w.owner.id })).toEqual({ ok: true })
    await expectRefusal(() => leaveOrganization(t.db, { orgId: w.org.id, userId: w.admin.id }), { error: 'last_owner' })
  })

  it('refuses a non-member and bad ids as not found', async () => {
    const w = await world()
    const stranger = await createUser(t.db)
    await expectRefusal(() => leaveOrganization(t.db, { orgId: w.org.id, userId: stranger.id }), { error: 'not_found' })
    await expectRefusal(() => leaveOrganization(t.db, { orgId: 'x', userId: w.member.id }), { error: 'not_found' })
  })
})

describe('makeOwner', () => {
  it('lets an owner make a member owner, recorded with the previous role', async () => {
    const w = await world()
    expect(await makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.member.id })).toEqual({ ok: true })
    expect((await membershipOf(t.db, w.org.id, w.member.id))?.role).toBe('owner')
    const [event] = await auditOf(t.db, w.org.id, 'member.made_owner')
    expect(event).toMatchObject({ actorId: w.owner.id, targetId: w.member.id, data: { before: { role: 'member' } } })
  })

  it('refuses admins (forbidden), oneself, strangers and other organizations’ ids', async () => {
    const w = await world()
    const other = await world()
    await expectRefusal(() => makeOwner(t.db, { orgId: w.org.id, actorId: w.admin.id, userId: w.member.id }), { error: 'forbidden' })
    await expectRefusal(() => makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.owner.id }), { error: 'self' })
    await expectRefusal(() => makeOwner(t.db, { orgId: w.org.id, actorId: other.owner.id, userId: w.member.id }), { error: 'not_found' })
    await expectRefusal(() => makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: other.member.id }), { error: 'not_found' })
  })
})

describe('getMemberForEdit', () => {
  it('returns the member’s access and what the caller may do to them', async () => {
    const w = await world()
    const target = await addMember(t.db, w.org.id, 'member', ['members:invite'], uniqueEmail('edit'))
    const view = await getMemberForEdit(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: target.id })
    expect(view).toMatchObject({ userId: target.id, email: target.email, role: 'member', permissions: ['members:invite'], canEdit: true, canRemove: false, canMakeOwner: false })
    expect((await getMemberForEdit(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: w.admin.id }))?.canEdit).toBe(false)
    expect((await getMemberForEdit(t.db, { orgId: w.org.id, actorId: w.manager.id, userId: w.manager.id }))?.canEdit).toBe(false)
    expect(await getMemberForEdit(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.owner.id })).toMatchObject({ isSelf: true, canMakeOwner: false })
  })

  it('is null without members:read, for strangers and for another organization’s member', async () => {
    const w = await world()
    const other = await world()
    expect(await getMemberForEdit(t.db, { orgId: w.org.id, actorId: w.member.id, userId: w.admin.id })).toBeNull()
    expect(await getMemberForEdit(t.db, { orgId: w.org.id, actorId: other.owner.id, userId: w.admin.id })).toBeNull()
    expect(await getMemberForEdit(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: other.member.id })).toBeNull()
  })
})


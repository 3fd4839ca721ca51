import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { invitationProjectGrants } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation } from './invitations/accept-invitation'
import { createInvitations } from './invitations/create-invitations'
import { declineInvitation } from './invitations/decline-invitation'
import { getInvitationByToken } from './invitations/get-invitation-by-token'
import { getPreviousAccess } from './invitations/get-previous-access'
import { revokeInvitation } from './invitations/revoke-invitation'
import { updateInvitation } from './invitations/update-invitation'
import { leaveOrganization } from './members/leave-organization'
import { removeMember } from './members/remove-member'
import { addMember, addProject, config, createWorld, invitationRow, membershipOf, setProjectLevel, tokenOfEmail, uniqueEmail } from './invitations.test-support'
import { auditOf, snapshot } from './members.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

type World = Awaited<ReturnType<typeof createWorld>>

async function invite(w: World, opts: { actorId?: string; role?: 'admin' | 'member'; permissions?: string[]; projectGrants?: { projectId: string; level: 'view' | 'edit' | 'admin' }[]; email?: string; now?: Date } = {}) {
  const r = await createInvitations(
    t.db,
    { orgId: w.org.id, actorId: opts.actorId ?? w.owner.id, emails: [opts.email ?? uniqueEmail('invitee')], role: opts.role ?? 'member', permissions: opts.permissions ?? [], projectGrants: opts.projectGrants ?? [] },
    { ...config, now: opts.now },
  )
  if (!r.ok || !r.results[0].invitationId) throw new Error('invite failed')
  return { id: r.results[0].invitationId, token: await tokenOfEmail(t.db, r.emailIds[0]) }
}

async function expectRefusal<T extends { ok: boolean }>(run: () => Promise<T>, expected: Record<string, unknown>) {
  const before = await snapshot(t.db)
  const result = await run()
  expect(result).toMatchObject({ ok: false, ...expected })
  expect(await snapshot(t.db)).toEqual(before)
}

describe('updateInvitation', () => {
  it('changes role, permissions and projects of a pending invitation; the link stays the same', async () => {
    const w = await createWorld(t.db)
    const [p1, p2] = [await addProject(t.db, w.org.id), await addProject(t.db, w.org.id)]
    const inv = await invite(w, { permissions: ['members:read'], projectGrants: [{ projectId: p1.id, level: 'view' }] })
    const hashBefore = (await invitationRow(t.db, inv.id)).tokenHash
    const r = await updateInvitation(t.db, {
      orgId: w.org.id,
      actorId: w.admin.id,
      invitationId: inv.id,
      role: 'member',
      permissions: ['members:invite', 'projects:create'],
      projectGrants: [{ projectId: p2.id, level: 'edit' }],
    })
    expect(r).toEqual({ ok: true })
    const row = await invitationRow(t.db, inv.id)
    expect(row).toMatchObject({ tokenHash: hashBefore, status: 'pending', permissions: ['members:invite', 'projects:create'], invitedBy: w.admin.id })
    expect(await t.db.select({ projectId: invitationProjectGrants.projectId, level: invitationProjectGrants.level }).from(invitationProjectGrants).where(eq(invitationProjectGrants.invitationId, inv.id))).toEqual([
      { projectId: p2.id, level: 'edit' },
    ])
    const view = await getInvitationByToken(t.db, inv.token)
    expect(view?.permissions).toEqual(['members:invite', 'projects:create'])
    const [event] = await auditOf(t.db, w.org.id, 'invitation.updated')
    expect(event).toMatchObject({ actorId: w.admin.id, targetId: inv.id, data: { before: { permissions: ['members:read'] }, after: { permissions: ['members:invite', 'projects:create'] } } })
  })

  it('refuses a stranger, another organization and a member without members:invite', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db)
    const inv = await invite(w)
    const args = { orgId: w.org.id, invitationId: inv.id, role: 'member' as const, permissions: [], projectGrants: [] }
    const stranger = await createUser(t.db)
    await expectRefusal(() => updateInvitation(t.db, { ...args, actorId: stranger.id }), { error: 'not_found' })
    await expectRefusal(() => updateInvitation(t.db, { ...args, actorId: other.owner.id }), { error: 'not_found' })
    await expectRefusal(() => updateInvitation(t.db, { ...args, actorId: w.member.id }), { error: 'forbidden' })
    // Another organization's invitation through this organization's id.
    const foreign = await invite(other)
    await expectRefusal(() => updateInvitation(t.db, { ...args, actorId: w.owner.id, invitationId: foreign.id }), { error: 'not_found' })
  })

  it('refuses granting, or taking away, what the caller does not hold', async () => {
    const w = await createWorld(t.db) // inviter holds members:invite and members:read
    const project = await addProject(t.db, w.org.id)
    const mine = await invite(w, { actorId: w.inviter.id, permissions: ['members:read'] })
    await expectRefusal(
      () => updateInvitation(t.db, { orgId: w.org.id, actorId: w.inviter.id, invitationId: mine.id, role: 'member', permissions: ['members:remove'], projectGrants: [] }),
      { error: 'escalation', field: 'permissions' },
    )
    await expectRefusal(
      () => updateInvitation(t.db, { orgId: w.org.id, actorId: w.inviter.id, invitationId: mine.id, role: 'admin', permissions: [], projectGrants: [] }),
      { error: 'escalation', field: 'role' },
    )
    await expectRefusal(
      () => updateInvitation(t.db, { orgId: w.org.id, actorId: w.inviter.id, invitationId: mine.id, role: 'member', permissions: [], projectGrants: [{ projectId: project.id, level: 'view' }] }),
      { error: 'escalation', field: 'projectGrants' },
    )
    const owners = await invite(w, { permissions: ['projects:manage_all'] })
    await expectRefusal(
      () => updateInvitation(t.db, { orgId: w.org.id, actorId: w.inviter.id, invitationId: owners.id, role: 'member', permissions: [], projectGrants: [] }),
      { error: 'escalation', field: 'permissions' },
    )
    // Within its own project level it may.
    await setProjectLevel(t.db, w.org.id, project.id, w.inviter.id, 'edit')
    expect(
      await updateInvitation(t.db, { orgId: w.org.id, actorId: w.inviter.id, invitationId: mine.id, role: 'member', permissions: [], projectGrants: [{ projectId: project.id, level: 'edit' }] }),
    ).toEqual({ ok: true })
  })

  it('refuses answered, revoked and expired invitations, and unknown projects', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail('answered'))
    const answered = await invite(w, { email: invitee.email })
    await declineInvitation(t.db, { invitationId: answered.id, userId: invitee.id })
    const revoked = await invite(w)
    await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: revoked.id })
    const expired = await invite(w, { now: new Date(Date.now() - 8 * 24 * 60 * 60_000) })
    for (const inv of [answered, revoked, expired]) {
      await expectRefusal(() => updateInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: inv.id, role: 'member', permissions: [], projectGrants: [] }), {
        error: 'not_pending',
      })
    }
    const pending = await invite(w)
    const other = await createWorld(t.db)
    const foreignProject = await addProject(t.db, other.org.id)
    await expectRefusal(
      () => updateInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: pending.id, role: 'member', permissions: [], projectGrants: [{ projectId: foreignProject.id, level: 'view' }] }),
      { error: 'not_found' },
    )
    await expectRefusal(
      () => updateInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: pending.id, role: 'member', permissions: ['nope:nope'], projectGrants: [] }),
      { error: 'escalation', field: 'permissions' },
    )
  })

  it('is checked at accept against the editor, who is now the inviter', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail('edited'))
    const inv = await invite(w, { actorId: w.inviter.id, email: invitee.email })
    expect(await updateInvitation(t.db, { orgId: w.org.id, actorId: w.admin.id, invitationId: inv.id, role: 'admin', permissions: [], projectGrants: [] })).toEqual({ ok: true })
    expect(await acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id })).toMatchObject({ ok: true })
    expect((await membershipOf(t.db, w.org.id, invitee.id))?.role).toBe('admin')
  })
})

describe('getPreviousAccess', () => {
  it('offers a removed or departed member’s last role and permissions', async () => {
    const w = await createWorld(t.db)
    const gone = await addMember(t.db, w.org.id, 'member', ['members:read', 'projects:create'])
    expect(await getPreviousAccess(t.db, { orgId: w.org.id, actorId: w.inviter.id, email: gone.email })).toBeNull()
    await removeMember(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: gone.id })
    expect(await getPreviousAccess(t.db, { orgId: w.org.id, actorId: w.inviter.id, email: ` ${gone.email.toUpperCase()} ` })).toEqual({
      role: 'member',
      permissions: ['members:read', 'projects:create'],
    })
    const admin = w.admin
    await leaveOrganization(t.db, { orgId: w.org.id, userId: admin.id })
    expect(await getPreviousAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, email: admin.email })).toMatchObject({ role: 'admin' })
  })

  it('is null without members:invite, for strangers and in another organization', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db)
    const gone = await addMember(t.db, w.org.id, 'member', ['members:read'])
    await removeMember(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: gone.id })
    expect(await getPreviousAccess(t.db, { orgId: w.org.id, actorId: w.member.id, email: gone.email })).toBeNull()
    expect(await getPreviousAccess(t.db, { orgId: w.org.id, actorId: other.owner.id, email: gone.email })).toBeNull()
    expect(await getPreviousAccess(t.db, { orgId: other.org.id, actorId: other.owner.id, email: gone.email })).toBeNull()
    expect(await getPreviousAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, email: 'not an email' })).toBeNull()
  })
})

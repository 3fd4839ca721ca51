import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { queryCounter } from '@/db/client'
import { invitations, memberships, projectMembers, users } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation } from './accept-invitation'
import { claimInvitationForNewUser } from './claim-invitation-for-new-user'
import { createInvitations } from './create-invitations'
import { declineInvitation } from './decline-invitation'
import { expireInvitations } from './expire-invitations'
import { getInvitationByToken } from './get-invitation-by-token'
import { revokeInvitation } from './revoke-invitation'
import { addMember, addProject, auditActions, config, createWorld, invitationRow, membershipOf, setProjectLevel, uniqueEmail, inviteOne, expectNothingWrittenIn, type InviteOptions } from '../invitations.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const DAY = 24 * 60 * 60_000
const ago = (ms: number) => new Date(Date.now() - ms)

type World = Awaited<ReturnType<typeof createWorld>>
const invite = (w: World, email: string, opts?: InviteOptions) => inviteOne(t.db, w, email, opts)
const expectNothingWritten = <T>(fn: () => Promise<T>) => expectNothingWrittenIn(t.db, fn)

describe('getInvitationByToken', () => {
  it('shows the organization, inviter, offer and whether the invitee has an account', async () => {
    const w = await createWorld(t.db, 'Viewable')
    const project = await addProject(t.db, w.org.id, 'Hermes')
    await t.db.update(users).set({ name: 'Olive Owner' }).where(eq(users.id, w.owner.id))
    const email = uniqueEmail()
    const inv = await invite(w, email, { permissions: ['members:read'], projectGrants: [{ projectId: project.id, level: 'edit' }] })
    const view = await getInvitationByToken(t.db, inv.token)
    expect(view).toEqual({
      id: inv.id,
      organization: { id: w.org.id, name: 'Viewable', slug: w.org.slug },
      email,
      role: 'member',
      permissions: ['members:read'],
      projectGrants: [{ projectName: 'Hermes', level: 'edit' }],
      inviter: { name: 'Olive Owner', email: w.owner.email },
      status: 'pending',
      expiresAt: expect.any(Date),
      hasAccount: false,
      inviterCanGrant: true,
    })
    await createUser(t.db, email)
    expect((await getInvitationByToken(t.db, inv.token))?.hasAccount).toBe(true)
    expect((await getInvitationByToken(t.db, inv.token, new Date(Date.now() + 8 * DAY)))?.status).toBe('expired')
  })

  it('answers null to malformed and unknown tokens alike, each with one lookup (the same work, the same time)', async () => {
    const start = queryCounter.count
    const malformed = ['', 'short', 'x'.repeat(43), '../../etc/passwd', `${'A'.repeat(42)}B`]
    for (const token of malformed) {
      expect(await getInvitationByToken(t.db, token)).toBeNull()
    }
    expect(queryCounter.count - start).toBe(malformed.length)
    expect(await getInvitationByToken(t.db, 'A'.repeat(43))).toBeNull()
  })
})

describe('acceptInvitation', () => {
  it('creates the membership with its role, permissions and project access, in one transaction', async () => {
    const w = await createWorld(t.db)
    const p1 = await addProject(t.db, w.org.id)
    const p2 = await addProject(t.db, w.org.id)
    const invitee = await createUser(t.db, uniqueEmail('ada'))
    const inv = await invite(w, invitee.email, {
      permissions: ['members:read', 'projects:create'],
      projectGrants: [
        { projectId: p1.id, level: 'edit' },
        { projectId: p2.id, level: 'view' },
      ],
    })
    const r = await acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id })
    expect(r).toEqual({ ok: true, organization: { id: w.org.id, name: w.org.name, slug: w.org.slug } })
    expect(await membershipOf(t.db, w.org.id, invitee.id)).toEqual({ role: 'member', permissions: ['members:read', 'projects:create'] })
    const levels = await t.db
      .select({ projectId: projectMembers.projectId, level: projectMembers.level })
      .from(projectMembers)
      .where(eq(projectMembers.userId, invitee.id))
    expect(new Map(levels.map((l) => [l.projectId, l.level]))).toEqual(new Map([[p1.id, 'edit'], [p2.id, 'view']]))
    const row = await invitationRow(t.db, inv.id)
    expect(row).toMatchObject({ status: 'accepted', respondedBy: invitee.id })
    expect(row.respondedAt).toBeInstanceOf(Date)
    expect(await auditActions(t.db, w.org.id, inv.id)).toEqual(['invitation.created', 'invitation.accepted'])
    expect((await getInvitationByToken(t.db, inv.token))?.status).toBe('accepted')
  })

  it('compares emails case-insensitively', async () => {
    const w = await createWorld(t.db)
    const local = uniqueEmail('ada')
    const invitee = await createUser(t.db, local)
    const [, domain] = local.split('@')
    const r = await createInvitations(
      t.db,
      { orgId: w.org.id, actorId: w.owner.id, emails: [`  ${local.split('@')[0].toUpperCase()}@${domain.toUpperCase()} `], role: 'admin', permissions: [], projectGrants: [] },
      config,
    )
    const id = r.ok ? r.results[0].invitationId! : ''
    expect(await acceptInvitation(t.db, { invitationId: id, userId: invitee.id })).toMatchObject({ ok: true })
    expect((await membershipOf(t.db, w.org.id, invitee.id))?.role).toBe('admin')
  })

  it('answers not_found to anyone but the invitee, writing nothing', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail())
    const intruder = await createUser(t.db, uniqueEmail('intruder'))
    const inv = await invite(w, invitee.email)
    for (const userId of [intruder.id, w.owner.id, '00000000-0000-4000-8000-000000000000']) {
      const r = await expectNothingWritten(() => acceptInvitation(t.db, { invitationId: inv.id, userId }))
      expect(r).toEqual({ ok: false, error: 'not_found', message: 'This invitation was not found.' })
    }
    expect(await acceptInvitation(t.db, { invitationId: 'not-a-uuid', userId: invitee.id })).toMatchObject({ ok: false, error: 'not_found' })
    expect(await acceptInvitation(t.db, { invitationId: '00000000-0000-4000-8000-000000000000', userId: invitee.id })).toMatchObject({ ok: false, error: 'not_found' })
    expect((await invitationRow(t.db, inv.id)).status).toBe('pending')
  })

  it('refuses an expired invitation, swept or not', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, invitee.email, { now: ago(8 * DAY) })
    const r = await expectNothingWritten(() => acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id }))
    expect(r).toMatchObject({ ok: false, error: 'expired' })
    await expireInvitations(t.db)
    expect(await acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id })).toMatchObject({ ok: false, error: 'expired' })
  })

  it('refuses a second answer', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail())
    const a = await invite(w, invitee.email)
    await acceptInvitation(t.db, { invitationId: a.id, userId: invitee.id })
    const again = await expectNothingWritten(() => acceptInvitation(t.db, { invitationId: a.id, userId: invitee.id }))
    expect(again).toEqual({ ok: false, error: 'already_answered', message: 'You have already accepted this invitation.' })
    expect(await declineInvitation(t.db, { invitationId: a.id, userId: invitee.id })).toMatchObject({ ok: false, error: 'already_answered' })
  })

  describe('checks the inviter again', () => {
    async function setUp(permissions: string[], inviterPermissions = ['members:invite', 'members:read', 'projects:create']) {
      const w = await createWorld(t.db)
      const inviter = await addMember(t.db, w.org.id, 'member', inviterPermissions)
      const invitee = await createUser(t.db, uniqueEmail())
      const inv = await invite(w, invitee.email, { actorId: inviter.id, permissions })
      return { w, inviter, invitee, inv }
    }

    async function expectNotAllowed(s: Awaited<ReturnType<typeof setUp>>) {
      const r = await expectNothingWritten(() => acceptInvitation(t.db, { invitationId: s.inv.id, userId: s.invitee.id }))
      expect(r).toEqual({
        ok: false,
        error: 'not_allowed',
        message: 'The person who invited you can no longer grant this access. Ask them to invite you again.',
      })
      expect((await invitationRow(t.db, s.inv.id)).status).toBe('pending')
      expect(await membershipOf(t.db, s.w.org.id, s.invitee.id)).toBeNull()
    }

    it('refuses when the inviter lost members:invite', async () => {
      const s = await setUp([])
      await t.db.update(memberships).set({ permissions: ['members:read'] }).where(eq(memberships.userId, s.inviter.id))
      await expectNotAllowed(s)
    })

    it('refuses when the inviter lost a permission offered', async () => {
      const s = await setUp(['projects:create'])
      await t.db.update(memberships).set({ permissions: ['members:invite'] }).where(eq(memberships.userId, s.inviter.id))
      await expectNotAllowed(s)
    })

    it('refuses when the inviter left the organization', async () => {
      const s = await setUp([])
      await t.db.delete(memberships).where(and(eq(memberships.userId, s.inviter.id), eq(memberships.organizationId, s.w.org.id)))
      await expectNotAllowed(s)
    })

    it('refuses when the inviter’s own project level dropped', async () => {
      const w = await createWorld(t.db)
      const project = await addProject(t.db, w.org.id)
      await setProjectLevel(t.db, w.org.id, project.id, w.inviter.id, 'admin')
      const invitee = await createUser(t.db, uniqueEmail())
      const inv = await invite(w, invitee.email, { actorId: w.inviter.id, projectGrants: [{ projectId: project.id, level: 'admin' }] })
      await setProjectLevel(t.db, w.org.id, project.id, w.inviter.id, 'edit')
      await expectNotAllowed({ w, inviter: w.inviter, invitee, inv })
    })

    it('accepts when the inviter still holds what was offered', async () => {
      const s = await setUp(['projects:create'])
      expect(await acceptInvitation(t.db, { invitationId: s.inv.id, userId: s.invitee.id })).toMatchObject({ ok: true })
    })
  })

  it('refuses an invitee who already is a member, leaving their role alone and the invitation pending', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, invitee.email, { role: 'admin' })
    await t.db.insert(memberships).values({ organizationId: w.org.id, userId: invitee.id, role: 'member', permissions: [] })
    const r = await expectNothingWritten(() => acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id }))
    expect(r).toMatchObject({ ok: false, error: 'already_member' })
    expect(await membershipOf(t.db, w.org.id, invitee.id)).toEqual({ role: 'member', permissions: [] })
    expect((await invitationRow(t.db, inv.id)).status).toBe('pending')
  })

  it('keeps the higher of an existing and a granted project level', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id)
    const invitee = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, invitee.email, { projectGrants: [{ projectId: project.id, level: 'view' }] })
    await setProjectLevel(t.db, w.org.id, project.id, invitee.id, 'admin')
    expect((await acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id })).ok).toBe(true)
    const [row] = await t.db.select({ level: projectMembers.level }).from(projectMembers).where(eq(projectMembers.userId, invitee.id))
    expect(row.level).toBe('admin')
  })
})

describe('declineInvitation', () => {
  it('declines for the invitee, and audits it', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, invitee.email)
    expect(await declineInvitation(t.db, { invitationId: inv.id, userId: invitee.id })).toEqual({ ok: true })
    expect(await invitationRow(t.db, inv.id)).toMatchObject({ status: 'declined', respondedBy: invitee.id })
    expect(await membershipOf(t.db, w.org.id, invitee.id)).toBeNull()
    expect(await auditActions(t.db, w.org.id, inv.id)).toEqual(['invitation.created', 'invitation.declined'])
    expect(await acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id })).toEqual({
      ok: false,
      error: 'already_answered',
      message: 'You have already declined this invitation.',
    })
  })

  it('answers not_found to anyone else, and refuses expired and revoked invitations', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail())
    const intruder = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, invitee.email)
    expect(await expectNothingWritten(() => declineInvitation(t.db, { invitationId: inv.id, userId: intruder.id }))).toMatchObject({ ok: false, error: 'not_found' })
    expect(await expectNothingWritten(() => declineInvitation(t.db, { invitationId: inv.id, userId: invitee.id, now: new Date(Date.now() + 8 * DAY) }))).toMatchObject({
      ok: false,
      error: 'expired',
    })
    await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: inv.id })
    expect(await declineInvitation(t.db, { invitationId: inv.id, userId: invitee.id })).toMatchObject({ ok: false, error: 'revoked' })
  })
})

describe('claimInvitationForNewUser', () => {
  it('creates the invited, verified account without accepting', async () => {
    const w = await createWorld(t.db)
    const email = uniqueEmail('newcomer')
    const inv = await invite(w, email)
    const r = await claimInvitationForNewUser(t.db, inv.token)
    expect(r).toMatchObject({ ok: true, email })
    if (!r.ok) return
    const [user] = await t.db.select().from(users).where(eq(users.id, r.userId))
    expect(user.email).toBe(email)
    expect(user.emailVerified).toBeInstanceOf(Date)
    expect((await invitationRow(t.db, inv.id)).status).toBe('pending')
    expect(await claimInvitationForNewUser(t.db, inv.token)).toEqual({ ok: false, error: 'account_exists' })
    expect((await acceptInvitation(t.db, { invitationId: inv.id, userId: r.userId })).ok).toBe(true)
  })

  it('never touches an existing account', async () => {
    const w = await createWorld(t.db)
    const existing = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, existing.email)
    expect(await expectNothingWritten(() => claimInvitationForNewUser(t.db, inv.token))).toEqual({ ok: false, error: 'account_exists' })
  })

  it('refuses malformed, unknown, expired and answered tokens', async () => {
    const w = await createWorld(t.db)
    const expired = await invite(w, uniqueEmail(), { now: ago(8 * DAY) })
    const revoked = await invite(w, uniqueEmail())
    await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: revoked.id })
    await expectNothingWritten(async () => {
      expect(await claimInvitationForNewUser(t.db, 'nope')).toEqual({ ok: false, error: 'not_found' })
      expect(await claimInvitationForNewUser(t.db, 'A'.repeat(43))).toEqual({ ok: false, error: 'not_found' })
      expect(await claimInvitationForNewUser(t.db, expired.token)).toEqual({ ok: false, error: 'expired' })
      expect(await claimInvitationForNewUser(t.db, revoked.token)).toEqual({ ok: false, error: 'not_pending' })
    })
  })
})

import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, inArray } from 'drizzle-orm'
import { queryCounter } from '@/db/client'
import { emailOutbox, invitationProjectGrants, invitations, rateLimits } from '@/db/schema'
import { ALL_PERMISSIONS } from '@/lib/permissions'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { rateLimitKey } from '../rate-limits'
import { INVITATIONS_PER_INVITER_PER_DAY, INVITATIONS_PER_ORG_PER_DAY } from './shared'
import { createInvitations } from './create-invitations'
import { addMember, addProject, auditActions, config, counts, createWorld, invitationRow, membershipOf, setProjectLevel, tokenOfEmail, uniqueEmail, inviteOne, expectNothingWrittenIn, type InviteOptions } from '../invitations.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const DAY = 24 * 60 * 60_000
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const ago = (ms: number) => new Date(Date.now() - ms)

type World = Awaited<ReturnType<typeof createWorld>>
const invite = (w: World, email: string, opts?: InviteOptions) => inviteOne(t.db, w, email, opts)
const expectNothingWritten = <T>(fn: () => Promise<T>) => expectNothingWrittenIn(t.db, fn)

describe('createInvitations', () => {
  it('invites an address: hashed token in the link, grants, audit and the email in one go', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id, 'Apollo')
    const email = uniqueEmail('new')
    const r = await createInvitations(
      t.db,
      { orgId: w.org.id, actorId: w.owner.id, emails: [email], role: 'member', permissions: ['members:read'], projectGrants: [{ projectId: project.id, level: 'edit' }] },
      config,
    )
    expect(r).toMatchObject({ ok: true, results: [{ email, outcome: 'invited' }] })
    if (!r.ok) return
    const id = r.results[0].invitationId!
    const row = await invitationRow(t.db, id)
    const token = await tokenOfEmail(t.db, r.emailIds[0])
    expect(token).toHaveLength(43)
    expect(token).not.toBe(id)
    expect(row.tokenHash).toBe(sha256(token))
    expect(row.tokenHash).not.toContain(token)
    expect(row).toMatchObject({ status: 'pending', email, role: 'member', permissions: ['members:read'], invitedBy: w.owner.id, sendCount: 1, lastEmailId: r.emailIds[0] })
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(7 * DAY)
    const [mail] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, r.emailIds[0]))
    expect(mail).toMatchObject({ kind: 'invitation', recipient: email, status: 'pending' })
    expect(mail.text).toContain(`https://app.example.com/invitations/${token}`)
    expect(mail.text).toContain('Apollo (Edit)')
    expect(mail.subject).toContain('invited you to join Acme')
    const grants = await t.db.select().from(invitationProjectGrants).where(eq(invitationProjectGrants.invitationId, id))
    expect(grants).toEqual([{ invitationId: id, projectId: project.id, level: 'edit' }])
    expect(await auditActions(t.db, w.org.id, id)).toEqual(['invitation.created'])
  })

  it('reports each address: invited, already a member, already invited, invalid; normalized and de-duplicated', async () => {
    const w = await createWorld(t.db)
    const pending = uniqueEmail('pending')
    const first = await invite(w, pending)
    const fresh = uniqueEmail('fresh')
    const r = await createInvitations(
      t.db,
      {
        orgId: w.org.id,
        actorId: w.admin.id,
        emails: [fresh.toUpperCase(), ` ${w.member.email} `, pending, 'not-an-email', fresh],
        role: 'member',
        permissions: [],
        projectGrants: [],
      },
      config,
    )
    expect(r.ok && r.results.map(({ email, outcome }) => [email, outcome])).toEqual([
      [fresh, 'invited'],
      [w.member.email, 'already_member'],
      [pending, 'already_invited'],
      ['not-an-email', 'invalid'],
    ])
    expect(r.ok && r.results[2].invitationId).toBe(first.id)
    expect(r.ok && r.emailIds).toHaveLength(1)
  })

  it('leaves an existing member untouched when they are invited again', async () => {
    const w = await createWorld(t.db)
    const before = await membershipOf(t.db, w.org.id, w.member.id)
    const r = await createInvitations(
      t.db,
      { orgId: w.org.id, actorId: w.owner.id, emails: [w.member.email.toUpperCase()], role: 'admin', permissions: ALL_PERMISSIONS, projectGrants: [] },
      config,
    )
    expect(r.ok && r.results[0].outcome).toBe('already_member')
    expect(await membershipOf(t.db, w.org.id, w.member.id)).toEqual(before)
    const rows = await t.db.select().from(invitations).where(eq(invitations.organizationId, w.org.id))
    expect(rows).toHaveLength(0)
  })

  it('refuses a caller who is not a member, or lacks members:invite, writing nothing', async () => {
    const w = await createWorld(t.db)
    const stranger = await createUser(t.db, uniqueEmail('stranger'))
    const reader = await addMember(t.db, w.org.id, 'member', ['members:read'])
    for (const actorId of [stranger.id, w.member.id, reader.id]) {
      const r = await expectNothingWritten(() =>
        createInvitations(t.db, { orgId: w.org.id, actorId, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants: [] }, config),
      )
      expect(r).toEqual({ ok: false, error: 'forbidden', message: 'You do not have permission to invite members.' })
    }
  })

  it('refuses a member of another organization inviting into this one', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db, 'Other')
    const r = await expectNothingWritten(() =>
      createInvitations(t.db, { orgId: w.org.id, actorId: other.owner.id, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants: [] }, config),
    )
    expect(r).toMatchObject({ ok: false, error: 'forbidden' })
  })

  describe('no escalation', () => {
    it('refuses a permission the inviter does not hold', async () => {
      const w = await createWorld(t.db)
      const r = await expectNothingWritten(() =>
        createInvitations(
          t.db,
          { orgId: w.org.id, actorId: w.inviter.id, emails: [uniqueEmail()], role: 'member', permissions: ['members:invite', 'projects:create'], projectGrants: [] },
          config,
        ),
      )
      expect(r).toEqual({ ok: false, error: 'escalation', field: 'permissions', message: 'You cannot grant “Create projects” because you do not hold it yourself.' })
    })

    it('allows the permissions the inviter holds', async () => {
      const w = await createWorld(t.db)
      const r = await createInvitations(
        t.db,
        { orgId: w.org.id, actorId: w.inviter.id, emails: [uniqueEmail()], role: 'member', permissions: ['members:invite', 'members:read'], projectGrants: [] },
        config,
      )
      expect(r.ok && r.results[0].outcome).toBe('invited')
    })

    it('refuses the admin role from a non-admin', async () => {
      const w = await createWorld(t.db)
      const r = await expectNothingWritten(() =>
        createInvitations(t.db, { orgId: w.org.id, actorId: w.inviter.id, emails: [uniqueEmail()], role: 'admin', permissions: [], projectGrants: [] }, config),
      )
      expect(r).toMatchObject({ ok: false, error: 'escalation', field: 'role' })
    })

    it('lets an admin invite an admin', async () => {
      const w = await createWorld(t.db)
      const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.admin.id, emails: [uniqueEmail()], role: 'admin', permissions: [], projectGrants: [] }, config)
      expect(r.ok && r.results[0].outcome).toBe('invited')
    })

    it('refuses a project level above the inviter’s own, or a project the inviter cannot see', async () => {
      const w = await createWorld(t.db)
      const mine = await addProject(t.db, w.org.id)
      const notMine = await addProject(t.db, w.org.id)
      await setProjectLevel(t.db, w.org.id, mine.id, w.inviter.id, 'edit')
      for (const projectGrants of [[{ projectId: mine.id, level: 'admin' as const }], [{ projectId: notMine.id, level: 'view' as const }]]) {
        const r = await expectNothingWritten(() =>
          createInvitations(t.db, { orgId: w.org.id, actorId: w.inviter.id, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants }, config),
        )
        expect(r).toMatchObject({ ok: false, error: 'escalation', field: 'projectGrants' })
      }
      const ok = await createInvitations(
        t.db,
        { orgId: w.org.id, actorId: w.inviter.id, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants: [{ projectId: mine.id, level: 'edit' }] },
        config,
      )
      expect(ok.ok).toBe(true)
    })

    it('counts projects:manage_all as admin on every project', async () => {
      const w = await createWorld(t.db)
      const manager = await addMember(t.db, w.org.id, 'member', ['members:invite', 'projects:manage_all'])
      const project = await addProject(t.db, w.org.id)
      const r = await createInvitations(
        t.db,
        { orgId: w.org.id, actorId: manager.id, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants: [{ projectId: project.id, level: 'admin' }] },
        config,
      )
      expect(r.ok && r.results[0].outcome).toBe('invited')
    })

    it('exempts the owner', async () => {
      const w = await createWorld(t.db)
      const project = await addProject(t.db, w.org.id)
      const r = await createInvitations(
        t.db,
        { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail()], role: 'admin', permissions: ALL_PERMISSIONS, projectGrants: [{ projectId: project.id, level: 'admin' }] },
        config,
      )
      expect(r.ok && r.results[0].outcome).toBe('invited')
    })

    it('refuses unknown permissions, even from the owner', async () => {
      const w = await createWorld(t.db)
      const r = await expectNothingWritten(() =>
        createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail()], role: 'member', permissions: ['org:delete'], projectGrants: [] }, config),
      )
      expect(r).toMatchObject({ ok: false, error: 'escalation', field: 'permissions' })
    })
  })

  it('refuses a project of another organization as not found', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db, 'Other')
    const theirs = await addProject(t.db, other.org.id)
    for (const projectId of [theirs.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const r = await expectNothingWritten(() =>
        createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants: [{ projectId, level: 'view' }] }, config),
      )
      expect(r).toEqual({ ok: false, error: 'not_found', message: 'One of the projects was not found.' })
    }
  })

  it('does not let an expired invitation block a new one, and marks it expired', async () => {
    const w = await createWorld(t.db)
    const email = uniqueEmail('late')
    const old = await invite(w, email, { now: ago(8 * DAY) })
    const fresh = await invite(w, email)
    expect(fresh.id).not.toBe(old.id)
    expect((await invitationRow(t.db, old.id)).status).toBe('expired')
    expect(await auditActions(t.db, w.org.id, old.id)).toEqual(['invitation.created', 'invitation.expired'])
  })

  it('rate limits per organization per day, counting only addresses that would be invited', async () => {
    const w = await createWorld(t.db)
    const now = new Date()
    await t.db.insert(rateLimits).values({
      key: rateLimitKey('invitations:org', w.org.id),
      windowStart: new Date(Math.floor(now.getTime() / DAY) * DAY),
      count: INVITATIONS_PER_ORG_PER_DAY - 2,
    })
    const emails = [w.member.email, 'bad', uniqueEmail('a'), uniqueEmail('b'), uniqueEmail('c')]
    const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails, role: 'member', permissions: [], projectGrants: [] }, { ...config, now })
    expect(r.ok && r.results.map((x) => x.outcome)).toEqual(['already_member', 'invalid', 'invited', 'invited', 'rate_limited'])
    expect(r.ok && r.emailIds).toHaveLength(2)
  })

  it('rate limits per inviter per day', async () => {
    const w = await createWorld(t.db)
    const now = new Date()
    await t.db.insert(rateLimits).values({
      key: rateLimitKey('invitations:inviter', w.admin.id),
      windowStart: new Date(Math.floor(now.getTime() / DAY) * DAY),
      count: INVITATIONS_PER_INVITER_PER_DAY,
    })
    const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.admin.id, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants: [] }, { ...config, now })
    expect(r.ok && r.results[0].outcome).toBe('rate_limited')
    const other = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants: [] }, { ...config, now })
    expect(other.ok && other.results[0].outcome).toBe('invited')
  })

  it('invites 50 addresses for far less than 50 times the queries of one', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id)
    const run = async (n: number) => {
      const start = queryCounter.count
      const r = await createInvitations(
        t.db,
        {
          orgId: w.org.id,
          actorId: w.owner.id,
          emails: Array.from({ length: n }, () => uniqueEmail('bulk')),
          role: 'member',
          permissions: ['members:read'],
          projectGrants: [{ projectId: project.id, level: 'view' }],
        },
        config,
      )
      expect(r.ok && r.results.every((x) => x.outcome === 'invited')).toBe(true)
      return queryCounter.count - start
    }
    const one = await run(1)
    const fifty = await run(50)
    expect(fifty).toBeLessThanOrEqual(one + 50)
  })

  it('queues the emails of one invite as one batch for the provider, led by one of them', async () => {
    const w = await createWorld(t.db)
    const emails = [uniqueEmail('batch'), uniqueEmail('batch'), uniqueEmail('batch')]
    const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails, role: 'member', permissions: [], projectGrants: [] }, config)
    expect(r.ok && r.emailIds).toHaveLength(3)
    if (!r.ok) return
    const rows = await t.db.select({ id: emailOutbox.id, batchId: emailOutbox.batchId }).from(emailOutbox).where(inArray(emailOutbox.id, r.emailIds))
    expect(rows).toHaveLength(3)
    expect(new Set(rows.map((x) => x.batchId)).size).toBe(1)
    expect(r.emailIds).toContain(rows[0].batchId)
    // Another invite is another batch.
    const other = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail('batch')], role: 'member', permissions: [], projectGrants: [] }, config)
    if (!other.ok) throw new Error('not invited')
    const [alone] = await t.db.select({ id: emailOutbox.id, batchId: emailOutbox.batchId }).from(emailOutbox).where(eq(emailOutbox.id, other.emailIds[0]))
    expect(alone.batchId).toBe(alone.id)
  })
})

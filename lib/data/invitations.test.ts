import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, inArray } from 'drizzle-orm'
import { queryCounter } from '@/db/client'
import { auditEvents, emailOutbox, invitationProjectGrants, invitations, memberships, projectMembers, rateLimits, users } from '@/db/schema'
import { ALL_PERMISSIONS } from '@/lib/permissions'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { rateLimitKey } from './rate-limits'
import { acceptInvitation } from './invitations/accept-invitation'
import { claimInvitationForNewUser } from './invitations/claim-invitation-for-new-user'
import { createInvitations } from './invitations/create-invitations'
import { declineInvitation } from './invitations/decline-invitation'
import { expireInvitations } from './invitations/expire-invitations'
import { getInvitationByToken } from './invitations/get-invitation-by-token'
import { listOpenInvitationsForUser } from './invitations/list-open-invitations'
import { listPendingInvitations } from './invitations/list-pending-invitations'
import { resendInvitation } from './invitations/resend-invitation'
import { revokeInvitation } from './invitations/revoke-invitation'
import { INVITATIONS_PER_INVITER_PER_DAY, INVITATIONS_PER_ORG_PER_DAY } from './invitations/shared'
import {
  addMember,
  addProject,
  auditActions,
  config,
  counts,
  createWorld,
  invitationRow,
  membershipOf,
  setProjectLevel,
  tokenOfEmail,
  uniqueEmail,
} from './invitations.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const DAY = 24 * 60 * 60_000
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const ago = (ms: number) => new Date(Date.now() - ms)

type World = Awaited<ReturnType<typeof createWorld>>

/** Invites one address and returns the invitation id and its token. */
async function invite(
  w: World,
  email: string,
  opts: { actorId?: string; role?: 'admin' | 'member'; permissions?: string[]; projectGrants?: { projectId: string; level: 'view' | 'edit' | 'admin' }[]; now?: Date } = {},
) {
  const r = await createInvitations(
    t.db,
    {
      orgId: w.org.id,
      actorId: opts.actorId ?? w.owner.id,
      emails: [email],
      role: opts.role ?? 'member',
      permissions: opts.permissions ?? [],
      projectGrants: opts.projectGrants ?? [],
    },
    { ...config, now: opts.now },
  )
  if (!r.ok) throw new Error(`invite refused: ${r.message}`)
  expect(r.results[0].outcome).toBe('invited')
  return { id: r.results[0].invitationId!, token: await tokenOfEmail(t.db, r.emailIds[0]), emailId: r.emailIds[0] }
}

/** Runs `fn` and asserts it wrote nothing anywhere. */
async function expectNothingWritten<T>(fn: () => Promise<T>): Promise<T> {
  const before = await counts(t.db)
  const result = await fn()
  expect(await counts(t.db)).toEqual(before)
  return result
}

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

describe('listPendingInvitations', () => {
  it('lists pending and expired invitations newest first, never a token hash', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id, 'Zeus')
    const a = await invite(w, uniqueEmail('a'), { now: ago(3 * 60_000), permissions: ['members:read'], projectGrants: [{ projectId: project.id, level: 'view' }] })
    const b = await invite(w, uniqueEmail('b'), { now: ago(8 * DAY) })
    const c = await invite(w, uniqueEmail('c'), { now: ago(60_000), actorId: w.admin.id })
    const answered = await invite(w, uniqueEmail('d'), { now: ago(30_000) })
    await t.db.update(invitations).set({ status: 'accepted' }).where(eq(invitations.id, answered.id))
    const revoked = await invite(w, uniqueEmail('e'), { now: ago(20_000) })
    await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: revoked.id })
    const swept = await invite(w, uniqueEmail('f'), { now: ago(9 * DAY) })
    await t.db.update(invitations).set({ status: 'expired' }).where(eq(invitations.id, swept.id))
    const other = await createWorld(t.db, 'Other')
    await invite(other, uniqueEmail('other'))

    const page = await listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.inviter.id })
    expect(page?.items.map((i) => i.id)).toEqual([c.id, a.id, b.id, swept.id])
    expect(page?.nextCursor).toBeNull()
    expect(page?.items.map((i) => i.state)).toEqual(['pending', 'pending', 'expired', 'expired'])
    expect(page?.items[0].invitedBy).toEqual({ name: null, email: w.admin.email })
    expect(page?.items[1]).toMatchObject({ permissions: ['members:read'], projectGrants: [{ projectId: project.id, projectName: 'Zeus', level: 'view' }], sendCount: 1 })
    for (const item of page!.items) {
      expect(Object.keys(item).sort()).toEqual(
        ['createdAt', 'deliveryError', 'email', 'expiresAt', 'id', 'invitedBy', 'lastSentAt', 'permissions', 'projectGrants', 'role', 'sendCount', 'state'].sort(),
      )
      expect(JSON.stringify(item)).not.toMatch(/[0-9a-f]{64}/)
    }
  })

  it('shows a failed delivery with its error', async () => {
    const w = await createWorld(t.db)
    const inv = await invite(w, uniqueEmail())
    await t.db.update(emailOutbox).set({ status: 'failed', lastError: 'mailbox does not exist' }).where(eq(emailOutbox.id, inv.emailId))
    const page = await listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id })
    expect(page?.items[0]).toMatchObject({ id: inv.id, state: 'delivery_failed', deliveryError: 'mailbox does not exist' })
  })

  it('pages by an opaque cursor, each invitation once, even with equal creation times', async () => {
    const w = await createWorld(t.db)
    const now = new Date()
    const r = await createInvitations(
      t.db,
      { orgId: w.org.id, actorId: w.owner.id, emails: Array.from({ length: 23 }, () => uniqueEmail('page')), role: 'member', permissions: [], projectGrants: [] },
      { ...config, now },
    )
    expect(r.ok).toBe(true)
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof listPendingInvitations>> = await listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, limit: 5, cursor })
      expect(page!.items.length).toBeLessThanOrEqual(5)
      seen.push(...page!.items.map((i) => i.id))
      cursor = page!.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(5)
    expect(seen).toHaveLength(23)
    expect(new Set(seen).size).toBe(23)
    // A tampered cursor starts over rather than failing.
    const again = await listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, limit: 5, cursor: 'garbage' })
    expect(again?.items.map((i) => i.id)).toEqual(seen.slice(0, 5))
  })

  it('runs the same number of queries for 2 rows as for 50', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id)
    await createInvitations(
      t.db,
      { orgId: w.org.id, actorId: w.owner.id, emails: Array.from({ length: 50 }, () => uniqueEmail()), role: 'member', permissions: [], projectGrants: [{ projectId: project.id, level: 'view' }] },
      config,
    )
    const queriesFor = async (limit: number) => {
      const start = queryCounter.count
      const page = await listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, limit })
      expect(page?.items).toHaveLength(limit)
      expect(page?.items.every((i) => i.projectGrants.length === 1)).toBe(true)
      return queryCounter.count - start
    }
    const few = await queriesFor(2)
    expect(await queriesFor(50)).toBe(few)
    // The caller's check, the grants and the seat count are folded into the one query.
    expect(few).toBe(1)
  })

  it('returns null without members:read, to non-members and to members of other organizations', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db, 'Other')
    const stranger = await createUser(t.db, uniqueEmail())
    await invite(w, uniqueEmail())
    for (const actorId of [w.member.id, other.owner.id, stranger.id]) {
      expect(await listPendingInvitations(t.db, { orgId: w.org.id, actorId })).toBeNull()
    }
  })
})

describe('resendInvitation', () => {
  it('issues a new token and expiry; the old link stops working', async () => {
    const w = await createWorld(t.db)
    const sentAt = ago(2 * 60_000)
    const inv = await invite(w, uniqueEmail(), { now: sentAt })
    const before = await invitationRow(t.db, inv.id)
    const r = await resendInvitation(t.db, { orgId: w.org.id, actorId: w.inviter.id, invitationId: inv.id }, config)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const after = await invitationRow(t.db, inv.id)
    const token = await tokenOfEmail(t.db, r.emailId)
    expect(token).not.toBe(inv.token)
    expect(after.tokenHash).toBe(sha256(token))
    expect(after).toMatchObject({ status: 'pending', sendCount: 2, lastEmailId: r.emailId })
    expect(after.expiresAt.getTime()).toBeGreaterThan(before.expiresAt.getTime())
    expect(after.lastSentAt.getTime()).toBeGreaterThan(sentAt.getTime())
    expect(await getInvitationByToken(t.db, inv.token)).toBeNull()
    expect((await getInvitationByToken(t.db, token))?.id).toBe(inv.id)
    expect(await auditActions(t.db, w.org.id, inv.id)).toEqual(['invitation.created', 'invitation.resent'])
  })

  it('renews an expired invitation', async () => {
    const w = await createWorld(t.db)
    const inv = await invite(w, uniqueEmail(), { now: ago(8 * DAY) })
    expect(await expireInvitations(t.db)).toBeGreaterThanOrEqual(1)
    expect((await invitationRow(t.db, inv.id)).status).toBe('expired')
    const r = await resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: inv.id }, config)
    expect(r.ok).toBe(true)
    const row = await invitationRow(t.db, inv.id)
    expect(row.status).toBe('pending')
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * DAY)
    expect(await getInvitationByToken(t.db, inv.token)).toBeNull()
  })

  it('holds a cooldown', async () => {
    const w = await createWorld(t.db)
    const inv = await invite(w, uniqueEmail())
    const r = await expectNothingWritten(() => resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: inv.id }, config))
    expect(r).toMatchObject({ ok: false, error: 'cooldown' })
    if (r.ok) return
    expect(r.retryAfterMs).toBeGreaterThan(55_000)
    expect(r.retryAfterMs).toBeLessThanOrEqual(60_000)
    expect(r.message).toMatch(/^You can resend this invitation in \d+ seconds\.$/)
    expect((await resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: inv.id }, { ...config, cooldownMs: 0 })).ok).toBe(true)
  })

  it('refuses callers without members:invite, and invitations of other organizations', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db, 'Other')
    const stranger = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, uniqueEmail(), { now: ago(5 * 60_000) })
    for (const actorId of [w.member.id, stranger.id, other.owner.id]) {
      const r = await expectNothingWritten(() => resendInvitation(t.db, { orgId: w.org.id, actorId, invitationId: inv.id }, config))
      expect(r).toMatchObject({ ok: false, error: 'forbidden' })
    }
    const cross = await expectNothingWritten(() => resendInvitation(t.db, { orgId: other.org.id, actorId: other.owner.id, invitationId: inv.id }, config))
    expect(cross).toEqual({ ok: false, error: 'not_found', message: 'This invitation was not found.' })
    const bad = await resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: 'nope' }, config)
    expect(bad).toMatchObject({ ok: false, error: 'not_found' })
  })

  it('refuses answered and revoked invitations, and addresses that became members', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail('ok'))
    const accepted = await invite(w, invitee.email, { now: ago(5 * 60_000) })
    expect((await acceptInvitation(t.db, { invitationId: accepted.id, userId: invitee.id })).ok).toBe(true)
    const revoked = await invite(w, uniqueEmail(), { now: ago(5 * 60_000) })
    await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: revoked.id })
    const r1 = await expectNothingWritten(() => resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: revoked.id }, config))
    expect(r1).toEqual({ ok: false, error: 'not_pending', message: 'This invitation is no longer pending.' })
    const r2 = await expectNothingWritten(() => resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: accepted.id }, config))
    expect(r2).toMatchObject({ ok: false, error: 'already_member' })

    const joiner = await createUser(t.db, uniqueEmail('joined'))
    const pending = await invite(w, joiner.email, { now: ago(5 * 60_000) })
    await t.db.insert(memberships).values({ organizationId: w.org.id, userId: joiner.id, role: 'member' })
    const r3 = await expectNothingWritten(() => resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: pending.id }, config))
    expect(r3).toMatchObject({ ok: false, error: 'already_member' })
  })

  it('does not renew an expired invitation while a newer one to the address is pending', async () => {
    const w = await createWorld(t.db)
    const email = uniqueEmail()
    const old = await invite(w, email, { now: ago(8 * DAY) })
    await invite(w, email)
    const r = await expectNothingWritten(() => resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: old.id }, config))
    expect(r).toMatchObject({ ok: false, error: 'not_pending' })
  })
})

describe('revokeInvitation', () => {
  it('revokes a pending invitation; its link then says revoked and cannot be accepted', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, invitee.email)
    expect(await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.inviter.id, invitationId: inv.id })).toEqual({ ok: true })
    expect((await getInvitationByToken(t.db, inv.token))?.status).toBe('revoked')
    expect(await acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id })).toMatchObject({ ok: false, error: 'revoked' })
    expect(await membershipOf(t.db, w.org.id, invitee.id)).toBeNull()
    expect(await auditActions(t.db, w.org.id, inv.id)).toEqual(['invitation.created', 'invitation.revoked'])
  })

  it('revokes an expired invitation', async () => {
    const w = await createWorld(t.db)
    const inv = await invite(w, uniqueEmail(), { now: ago(8 * DAY) })
    expect(await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: inv.id })).toEqual({ ok: true })
  })

  it('changes nothing on an accepted invitation', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail())
    const inv = await invite(w, invitee.email)
    await acceptInvitation(t.db, { invitationId: inv.id, userId: invitee.id })
    const r = await expectNothingWritten(() => revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: inv.id }))
    expect(r).toEqual({ ok: false, error: 'not_pending', message: 'This invitation is no longer pending.' })
    expect((await invitationRow(t.db, inv.id)).status).toBe('accepted')
    expect(await membershipOf(t.db, w.org.id, invitee.id)).not.toBeNull()
  })

  it('refuses callers without members:invite, and invitations of other organizations', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db, 'Other')
    const inv = await invite(w, uniqueEmail())
    for (const actorId of [w.member.id, other.owner.id]) {
      const r = await expectNothingWritten(() => revokeInvitation(t.db, { orgId: w.org.id, actorId, invitationId: inv.id }))
      expect(r).toMatchObject({ ok: false, error: 'forbidden' })
    }
    const cross = await expectNothingWritten(() => revokeInvitation(t.db, { orgId: other.org.id, actorId: other.owner.id, invitationId: inv.id }))
    expect(cross).toMatchObject({ ok: false, error: 'not_found' })
    expect(await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: '1; drop table x' })).toMatchObject({ ok: false, error: 'not_found' })
    expect((await invitationRow(t.db, inv.id)).status).toBe('pending')
  })
})

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

describe('listOpenInvitationsForUser', () => {
  it('lists the user’s pending, unexpired invitations newest first, with the total, in one query', async () => {
    const invitee = await createUser(t.db, uniqueEmail('bell'))
    const orgs = await Promise.all(['One', 'Two', 'Three', 'Four', 'Five'].map((name) => createWorld(t.db, name)))
    const made = []
    for (const [i, w] of orgs.entries()) made.push(await invite(w, invitee.email, { now: ago((10 - i) * 60_000) }))
    await invite(await createWorld(t.db, 'Stale'), invitee.email, { now: ago(8 * DAY) })
    await revokeInvitation(t.db, { orgId: orgs[4].org.id, actorId: orgs[4].owner.id, invitationId: made[4].id })
    await invite(orgs[0], uniqueEmail('someone-else'))

    const start = queryCounter.count
    const r = await listOpenInvitationsForUser(t.db, { userId: invitee.id, limit: 3 })
    expect(queryCounter.count - start).toBe(1)
    expect(r.total).toBe(4)
    expect(r.items.map((i) => i.id)).toEqual([made[3].id, made[2].id, made[1].id])
    expect(r.items[0]).toEqual({
      id: made[3].id,
      organization: { name: 'Four', slug: orgs[3].org.slug },
      inviter: { name: null, email: orgs[3].owner.email },
      role: 'member',
      permissions: [],
      expiresAt: expect.any(Date),
      createdAt: expect.any(Date),
      inviterCanGrant: true,
    })
  })

  it('is empty for a user with no invitations', async () => {
    const lonely = await createUser(t.db, uniqueEmail())
    expect(await listOpenInvitationsForUser(t.db, { userId: lonely.id })).toEqual({ items: [], total: 0 })
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

describe('expireInvitations', () => {
  it('stores pending invitations past expiry as expired, with an audit event each, and nothing else', async () => {
    const w = await createWorld(t.db)
    const old1 = await invite(w, uniqueEmail(), { now: ago(8 * DAY) })
    const old2 = await invite(w, uniqueEmail(), { now: ago(7 * DAY + 60_000) })
    const fresh = await invite(w, uniqueEmail())
    const answered = await invite(w, uniqueEmail(), { now: ago(9 * DAY) })
    await t.db.update(invitations).set({ status: 'declined' }).where(eq(invitations.id, answered.id))

    expect(await expireInvitations(t.db)).toBeGreaterThanOrEqual(2)
    expect((await invitationRow(t.db, old1.id)).status).toBe('expired')
    expect((await invitationRow(t.db, old2.id)).status).toBe('expired')
    expect((await invitationRow(t.db, fresh.id)).status).toBe('pending')
    expect((await invitationRow(t.db, answered.id)).status).toBe('declined')
    const events = await t.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.targetId, old1.id))
    expect(events.map((e) => e.action)).toEqual(['invitation.created', 'invitation.expired'])
    expect(await expireInvitations(t.db)).toBe(0)
    expect((await getInvitationByToken(t.db, old1.token))?.status).toBe('expired')
  })
})

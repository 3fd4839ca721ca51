import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { queryCounter } from '@/db/client'
import { emailOutbox, invitations } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { createInvitations } from './create-invitations'
import { listOpenInvitationsForUser } from './list-open-invitations'
import { listPendingInvitations } from './list-pending-invitations'
import { revokeInvitation } from './revoke-invitation'
import { addProject, config, createWorld, uniqueEmail, inviteOne, type InviteOptions } from '../invitations.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const DAY = 24 * 60 * 60_000
const ago = (ms: number) => new Date(Date.now() - ms)

type World = Awaited<ReturnType<typeof createWorld>>
const invite = (w: World, email: string, opts?: InviteOptions) => inviteOne(t.db, w, email, opts)

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

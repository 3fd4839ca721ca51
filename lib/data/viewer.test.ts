import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { queryCounter } from '@/db/client'
import { invitations, notifications, sessions } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { createInvitations } from './invitations/create-invitations'
import { config, createWorld, uniqueEmail } from './invitations.test-support'
import { hashSessionToken } from './session-token'
import { getSessionUser, getViewer, SESSION_MAX_AGE_MS, SESSION_UPDATE_AGE_MS } from './viewer'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const DAY = 24 * 60 * 60 * 1000

async function sessionFor(userId: string, expires = new Date(Date.now() + SESSION_MAX_AGE_MS)) {
  const token = randomBytes(32).toString('base64url')
  await t.db.insert(sessions).values({ sessionToken: hashSessionToken(token), userId, expires })
  return token
}

async function expiresOf(token: string) {
  const [row] = await t.db.select({ expires: sessions.expires }).from(sessions).where(eq(sessions.sessionToken, hashSessionToken(token)))
  return row.expires
}

describe('getViewer (pages) and getSessionUser (actions)', () => {
  it('reads the session’s user, open invitations and notifications in one query', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail('invitee'))
    const invited = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [invitee.email], role: 'member', permissions: ['members:read'], projectGrants: [] }, config)
    if (!invited.ok) throw new Error('setup')
    await t.db.insert(notifications).values({ userId: invitee.id, organizationId: w.org.id, kind: 'invitation.accepted', data: { email: 'x@example.com', orgName: 'Acme' } })
    const token = await sessionFor(invitee.id)

    const before = queryCounter.count
    const viewer = await getViewer(t.db, { token })
    expect(queryCounter.count - before).toBe(1)
    expect(viewer?.user).toEqual({ id: invitee.id, email: invitee.email, name: null })
    expect(viewer?.open.total).toBe(1)
    expect(viewer?.open.items).toEqual([
      expect.objectContaining({ organization: { name: 'Acme', slug: w.org.slug }, inviter: { name: null, email: w.owner.email }, role: 'member', permissions: ['members:read'] }),
    ])
    expect(viewer?.open.items[0].expiresAt).toBeInstanceOf(Date)
    expect(viewer?.updates.unread).toBe(1)
    expect(viewer?.updates.items).toEqual([expect.objectContaining({ kind: 'invitation.accepted', email: 'x@example.com', orgName: 'Acme', isRead: false })])
    expect(viewer?.updates.items[0].createdAt).toBeInstanceOf(Date)

    const start = queryCounter.count
    expect(await getSessionUser(t.db, { token })).toEqual({ id: invitee.id, email: invitee.email, name: null })
    expect(queryCounter.count - start).toBe(1)
  })

  it('shows only the session user’s own invitations and notifications; answered and expired ones are not open', async () => {
    const w = await createWorld(t.db)
    const me = await createUser(t.db, uniqueEmail('me'))
    const someoneElse = await createUser(t.db, uniqueEmail('else'))
    const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [someoneElse.email, me.email], role: 'member', permissions: [], projectGrants: [] }, config)
    if (!r.ok) throw new Error('setup')
    const mine = r.results.find((x) => x.email === me.email)!.invitationId!
    await t.db.insert(notifications).values({ userId: someoneElse.id, organizationId: w.org.id, kind: 'invitation.declined', data: { email: 'y@example.com', orgName: 'Acme' } })
    const token = await sessionFor(me.id)

    const viewer = await getViewer(t.db, { token })
    expect(viewer?.open.items.map((i) => i.id)).toEqual([mine])
    expect(viewer?.updates).toEqual({ items: [], unread: 0 })

    await t.db.update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, mine))
    expect((await getViewer(t.db, { token }))?.open).toEqual({ items: [], total: 0 })
  })

  it('is null for an unknown, expired, empty or oversized token, and a bad token runs no query', async () => {
    const user = await createUser(t.db)
    const expired = await sessionFor(user.id, new Date(Date.now() - 1000))
    expect(await getViewer(t.db, { token: expired })).toBeNull()
    expect(await getSessionUser(t.db, { token: expired })).toBeNull()
    expect(await getViewer(t.db, { token: randomBytes(32).toString('base64url') })).toBeNull()
    const before = queryCounter.count
    expect(await getViewer(t.db, { token: '' })).toBeNull()
    expect(await getSessionUser(t.db, { token: 'x'.repeat(10_000) })).toBeNull()
    expect(queryCounter.count - before).toBe(0)
  })

  it('moves the expiry forward once a day, as Auth.js does, and not on every request', async () => {
    const user = await createUser(t.db)
    const now = new Date()
    const fresh = await sessionFor(user.id, new Date(now.getTime() + SESSION_MAX_AGE_MS - 60_000))
    const before = await expiresOf(fresh)
    await getViewer(t.db, { token: fresh, now })
    expect(await expiresOf(fresh)).toEqual(before)

    const dayOld = await sessionFor(user.id, new Date(now.getTime() + SESSION_MAX_AGE_MS - SESSION_UPDATE_AGE_MS - DAY / 2))
    await getSessionUser(t.db, { token: dayOld, now })
    expect((await expiresOf(dayOld)).getTime()).toBe(now.getTime() + SESSION_MAX_AGE_MS)
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { invitations, organizations } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation } from './invitations/accept-invitation'
import { createInvitations } from './invitations/create-invitations'
import { resendInvitation } from './invitations/resend-invitation'
import { revokeInvitation } from './invitations/revoke-invitation'
import { SEAT_LIMIT_MESSAGE } from './invitations/shared'
import { setSeatLimit } from './organizations'
import { config, createWorld, getSeatUsage, membershipOf, uniqueEmail } from './invitations.test-support'
import { auditOf, snapshot } from './members.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const DAY = 24 * 60 * 60_000

async function invite(w: Awaited<ReturnType<typeof createWorld>>, emails: string[], now?: Date) {
  const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails, role: 'member', permissions: [], projectGrants: [] }, { ...config, now })
  if (!r.ok) throw new Error(r.message)
  return r.results
}

const limitTo = (orgId: string, seatLimit: number | null) => t.db.update(organizations).set({ seatLimit }).where(eq(organizations.id, orgId))

describe('setSeatLimit and getSeatUsage', () => {
  it('lets an owner set and clear the limit, with audit events; usage counts members and open invitations', async () => {
    const w = await createWorld(t.db) // 4 members
    await invite(w, [uniqueEmail('a'), uniqueEmail('b')])
    expect(await getSeatUsage(t.db, { orgId: w.org.id })).toEqual({ limit: null, used: 6 })
    expect(await setSeatLimit(t.db, { orgId: w.org.id, actorId: w.owner.id, seatLimit: 10 })).toEqual({ ok: true, used: 6 })
    expect(await getSeatUsage(t.db, { orgId: w.org.id })).toEqual({ limit: 10, used: 6 })
    // An expired invitation frees its seat even before the sweep stores it so.
    expect(await getSeatUsage(t.db, { orgId: w.org.id, now: new Date(Date.now() + 8 * DAY) })).toEqual({ limit: 10, used: 4 })
    expect(await setSeatLimit(t.db, { orgId: w.org.id, actorId: w.owner.id, seatLimit: null })).toEqual({ ok: true, used: 6 })
    expect((await auditOf(t.db, w.org.id, 'organization.seat_limit_changed')).map((e) => e.data)).toEqual([
      { before: null, after: 10 },
      { before: 10, after: null },
    ])
  })

  it('refuses admins, strangers, other organizations’ owners and bad limits, writing nothing', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db)
    const stranger = await createUser(t.db)
    const cases: [string, number | null, string][] = [
      [w.admin.id, 5, 'forbidden'],
      [stranger.id, 5, 'not_found'],
      [other.owner.id, 5, 'not_found'],
      [w.owner.id, 0, 'invalid'],
      [w.owner.id, -3, 'invalid'],
      [w.owner.id, 2.5, 'invalid'],
      [w.owner.id, Number.NaN, 'invalid'],
      [w.owner.id, 10_000_000, 'invalid'],
    ]
    for (const [actorId, seatLimit, error] of cases) {
      const before = await snapshot(t.db)
      expect(await setSeatLimit(t.db, { orgId: w.org.id, actorId, seatLimit })).toMatchObject({ ok: false, error })
      expect(await snapshot(t.db)).toEqual(before)
    }
  })
})

describe('the seat limit when inviting', () => {
  it('invites the first addresses that fit and reports the rest as seat_limit', async () => {
    const w = await createWorld(t.db) // 4 members
    await limitTo(w.org.id, 6)
    const [a, b, c] = [uniqueEmail('a'), uniqueEmail('b'), uniqueEmail('c')]
    const results = await invite(w, [a, b, c])
    expect(results.map((r) => r.outcome)).toEqual(['invited', 'invited', 'seat_limit'])
    expect((await invite(w, [uniqueEmail('d')]))[0].outcome).toBe('seat_limit')
    // Revoking frees a seat.
    await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: results[0].invitationId! })
    expect((await invite(w, [c]))[0].outcome).toBe('invited')
  })

  it('still reports members and pending invitations as such when full', async () => {
    const w = await createWorld(t.db)
    await limitTo(w.org.id, 4)
    const results = await invite(w, [w.member.email, 'not an email'])
    expect(results.map((r) => r.outcome)).toEqual(['already_member', 'invalid'])
  })

  it('does not let resending an expired invitation take a seat that is gone', async () => {
    const w = await createWorld(t.db)
    const past = new Date(Date.now() - 8 * DAY)
    const [old] = await invite(w, [uniqueEmail('old')], past)
    await limitTo(w.org.id, 5)
    await invite(w, [uniqueEmail('new')]) // takes the fifth seat the expired one gave up
    const r = await resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: old.invitationId! }, config)
    expect(r).toMatchObject({ ok: false, error: 'seat_limit' })
    await limitTo(w.org.id, 6)
    expect(await resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: old.invitationId! }, config)).toMatchObject({ ok: true })
  })
})

describe('the seat limit when accepting', () => {
  it('accepts normally (the invitation holds its seat), and refuses once the limit was lowered below the members', async () => {
    const w = await createWorld(t.db) // 4 members
    const [x, y] = [await createUser(t.db, uniqueEmail('x')), await createUser(t.db, uniqueEmail('y'))]
    await limitTo(w.org.id, 6)
    const [ix, iy] = await invite(w, [x.email, y.email])
    expect(await acceptInvitation(t.db, { invitationId: ix.invitationId!, userId: x.id })).toMatchObject({ ok: true })
    await setSeatLimit(t.db, { orgId: w.org.id, actorId: w.owner.id, seatLimit: 5 })
    const before = await snapshot(t.db)
    expect(await acceptInvitation(t.db, { invitationId: iy.invitationId!, userId: y.id })).toEqual({ ok: false, error: 'seat_limit', message: SEAT_LIMIT_MESSAGE })
    expect(await snapshot(t.db)).toEqual(before)
    const [row] = await t.db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, iy.invitationId!))
    expect(row.status).toBe('pending')
    expect(await membershipOf(t.db, w.org.id, y.id)).toBeNull()
  })
})

// Issue 15, item 2: a resend is an invitation email like any other. It consumes one unit of the
// organization's and the resending member's daily limits in the statement that renews it, and one
// invitation is sent at most MAX_SENDS_PER_INVITATION times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { Client } from 'pg'
import { memberships, rateLimits } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createInvitations } from './invitations/create-invitations'
import { resendInvitation } from './invitations/resend-invitation'
import { INVITATIONS_PER_INVITER_PER_DAY, INVITATIONS_PER_ORG_PER_DAY } from './invitations/shared'
import { MAX_SENDS_PER_INVITATION } from './invitations/send-limits'
import { rateLimitKey } from './rate-limits'
import { config, counts, createWorld, invitationRow, uniqueEmail } from './invitations.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const DAY = 24 * 60 * 60_000
const MINUTE = 60_000
// Yesterday 10:00 UTC: one daily window for the whole test, whenever it runs.
const windowStart = new Date(Math.floor(Date.now() / DAY) * DAY - DAY)
const base = new Date(windowStart.getTime() + 10 * 60 * MINUTE)
const at = (minutes: number) => new Date(base.getTime() + minutes * MINUTE)

type World = Awaited<ReturnType<typeof createWorld>>

async function inviteAt(w: World, actorId: string, email: string, now: Date) {
  const r = await createInvitations(t.db, { orgId: w.org.id, actorId, emails: [email], role: 'member', permissions: [], projectGrants: [] }, { ...config, now })
  if (!r.ok || r.results[0].outcome !== 'invited') throw new Error('invite failed')
  return r.results[0].invitationId!
}

const orgKey = (w: World) => rateLimitKey('invitations:org', w.org.id)
const inviterKey = (userId: string) => rateLimitKey('invitations:inviter', userId)

async function setCounter(key: string, count: number) {
  await t.db
    .insert(rateLimits)
    .values({ key, windowStart, count })
    .onConflictDoUpdate({ target: [rateLimits.key, rateLimits.windowStart], set: { count } })
}

async function counter(key: string) {
  const [row] = await t.db.select({ count: rateLimits.count }).from(rateLimits).where(and(eq(rateLimits.key, key), eq(rateLimits.windowStart, windowStart)))
  return row?.count ?? 0
}

/** Row counts, the invitation row and both counters: a refusal leaves all of it as it was. */
async function state(w: World, invitationId: string, actorId: string) {
  return { counts: await counts(t.db), row: await invitationRow(t.db, invitationId), org: await counter(orgKey(w)), inviter: await counter(inviterKey(actorId)) }
}

const resend = (w: World, actorId: string, invitationId: string, now: Date, cooldownMs?: number) =>
  resendInvitation(t.db, { orgId: w.org.id, actorId, invitationId }, { ...config, now, cooldownMs })

describe('resendInvitation: daily limits', () => {
  it('is refused at the organization’s daily cap, says when it resets, and changes nothing', async () => {
    const w = await createWorld(t.db)
    const id = await inviteAt(w, w.owner.id, uniqueEmail(), at(0))
    await setCounter(orgKey(w), INVITATIONS_PER_ORG_PER_DAY)
    const before = await state(w, id, w.owner.id)
    const r = await resend(w, w.owner.id, id, at(2))
    expect(r).toEqual({
      ok: false,
      error: 'rate_limited',
      limit: 'organization',
      resetsAt: new Date(windowStart.getTime() + DAY),
      retryAfterMs: 13 * 60 * MINUTE + 58 * MINUTE,
      message: `This organization has sent its ${INVITATIONS_PER_ORG_PER_DAY} invitations for today. The limit resets at 00:00 UTC (in 13 h 58 min).`,
    })
    expect(await state(w, id, w.owner.id)).toEqual(before)
  })

  it('is refused at the resending member’s daily cap and changes nothing; another member may still resend', async () => {
    const w = await createWorld(t.db)
    const id = await inviteAt(w, w.owner.id, uniqueEmail(), at(0))
    await setCounter(inviterKey(w.inviter.id), INVITATIONS_PER_INVITER_PER_DAY)
    const before = await state(w, id, w.inviter.id)
    const r = await resend(w, w.inviter.id, id, at(2))
    expect(r).toMatchObject({ ok: false, error: 'rate_limited', limit: 'inviter', resetsAt: new Date(windowStart.getTime() + DAY) })
    expect(!r.ok && r.message).toBe(`You have sent your ${INVITATIONS_PER_INVITER_PER_DAY} invitations for today. The limit resets at 00:00 UTC (in 13 h 58 min).`)
    expect(await state(w, id, w.inviter.id)).toEqual(before)
    expect(await resend(w, w.admin.id, id, at(2))).toMatchObject({ ok: true })
  })

  it('consumes one unit of each limit: an invite after it has one unit fewer', async () => {
    const w = await createWorld(t.db)
    const id = await inviteAt(w, w.owner.id, uniqueEmail(), at(0))
    await setCounter(orgKey(w), INVITATIONS_PER_ORG_PER_DAY - 2)
    const inviterBefore = await counter(inviterKey(w.owner.id))
    expect(await resend(w, w.owner.id, id, at(2))).toMatchObject({ ok: true })
    expect(await counter(orgKey(w))).toBe(INVITATIONS_PER_ORG_PER_DAY - 1)
    expect(await counter(inviterKey(w.owner.id))).toBe(inviterBefore + 1)
    const r = await createInvitations(
      t.db,
      { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail('a'), uniqueEmail('b')], role: 'member', permissions: [], projectGrants: [] },
      { ...config, now: at(3) },
    )
    expect(r.ok && r.results.map((x) => x.outcome)).toEqual(['invited', 'rate_limited'])
  })

  it(`sends one invitation at most ${MAX_SENDS_PER_INVITATION} times; the next is refused with its message and changes nothing`, async () => {
    const w = await createWorld(t.db)
    const email = uniqueEmail('often')
    const id = await inviteAt(w, w.owner.id, email, at(0))
    for (let i = 1; i < MAX_SENDS_PER_INVITATION; i++) expect(await resend(w, w.owner.id, id, at(i * 2))).toMatchObject({ ok: true })
    expect((await invitationRow(t.db, id)).sendCount).toBe(MAX_SENDS_PER_INVITATION)
    const before = await state(w, id, w.owner.id)
    const r = await resend(w, w.owner.id, id, at(60))
    expect(r).toEqual({
      ok: false,
      error: 'rate_limited',
      limit: 'invitation',
      resetsAt: null,
      message: `This invitation has been sent ${MAX_SENDS_PER_INVITATION} times, the most one invitation can be. Revoke it and invite ${email} again.`,
    })
    expect(await state(w, id, w.owner.id)).toEqual(before)
  })

  // Real Postgres only (PGlite has one connection): the organization lock does not serialize
  // resends in two organizations, so only the counter's row lock stands between them. Another
  // connection holds that row until both resends have read the counter (one unit left) and wait.
  it('two racing resends by one member in two organizations, one unit left: one is sent, one unit consumed', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const a = await createWorld(t.db)
    const b = await createWorld(t.db, 'Other')
    await t.db.insert(memberships).values({ organizationId: b.org.id, userId: a.owner.id, role: 'admin', permissions: [] })
    const inA = await inviteAt(a, a.owner.id, uniqueEmail(), at(0))
    const inB = await inviteAt(b, a.owner.id, uniqueEmail(), at(0))
    await setCounter(inviterKey(a.owner.id), INVITATIONS_PER_INVITER_PER_DAY - 1)
    const emailsBefore = (await counts(t.db)).emailOutbox
    const url = t.handle.pool!.options.connectionString!
    const holder = new Client({ connectionString: url })
    const watcher = new Client({ connectionString: url })
    await Promise.all([holder.connect(), watcher.connect()])
    let results: Awaited<ReturnType<typeof resend>>[]
    try {
      await holder.query('begin')
      await holder.query('select 1 from rate_limits where key = $1 for update', [inviterKey(a.owner.id)])
      const pending = Promise.all([resend(a, a.owner.id, inA, at(2)), resend(b, a.owner.id, inB, at(2))])
      for (let i = 0; ; i++) {
        const { rows } = await watcher.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)
        if (rows[0].n >= 2) break
        if (i > 300) throw new Error('the resends never waited for the counter')
        await new Promise((r) => setTimeout(r, 10))
      }
      await holder.query('commit')
      results = await pending
    } finally {
      await Promise.all([holder.end(), watcher.end()])
    }
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok)).toMatchObject([{ error: 'rate_limited', limit: 'inviter' }])
    expect(await counter(inviterKey(a.owner.id))).toBe(INVITATIONS_PER_INVITER_PER_DAY)
    expect((await counts(t.db)).emailOutbox).toBe(emailsBefore + 1)
  })

  it('two racing resends in one organization, one unit left: one is sent, one unit consumed', async () => {
    const w = await createWorld(t.db)
    const ids = [await inviteAt(w, w.owner.id, uniqueEmail(), at(0)), await inviteAt(w, w.owner.id, uniqueEmail(), at(0))]
    await setCounter(orgKey(w), INVITATIONS_PER_ORG_PER_DAY - 1)
    const results = await Promise.all(ids.map((id) => resend(w, w.owner.id, id, at(2))))
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok)).toMatchObject([{ error: 'rate_limited', limit: 'organization' }])
    expect(await counter(orgKey(w))).toBe(INVITATIONS_PER_ORG_PER_DAY)
  })
})

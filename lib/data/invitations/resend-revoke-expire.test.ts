import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { auditEvents, invitations, memberships } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation } from './accept-invitation'
import { expireInvitations } from './expire-invitations'
import { getInvitationByToken } from './get-invitation-by-token'
import { resendInvitation } from './resend-invitation'
import { revokeInvitation } from './revoke-invitation'
import { auditActions, config, createWorld, invitationRow, membershipOf, tokenOfEmail, uniqueEmail, inviteOne, expectNothingWrittenIn, type InviteOptions } from '../invitations.test-support'

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

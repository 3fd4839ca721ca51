// Issue 5, item 7 (the database and generic-answer parts): invitation tokens are 32 random bytes in
// base64url; the database holds each only as its SHA-256 in invitations.token_hash, except the
// email_outbox row whose body carries the emailed link; unknown and malformed tokens get the same
// answer, and a malformed one costs the same single lookup as an unknown one (timing tells nothing).
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryCounter } from '@/db/client'
import { acceptInvitation } from '@/lib/data/invitations/accept-invitation'
import { claimInvitationForNewUser } from '@/lib/data/invitations/claim-invitation-for-new-user'
import { createInvitations } from '@/lib/data/invitations/create-invitations'
import { getInvitationByToken } from '@/lib/data/invitations/get-invitation-by-token'
import { resendInvitation } from '@/lib/data/invitations/resend-invitation'
import { revokeInvitation } from '@/lib/data/invitations/revoke-invitation'
import { tokenOfEmail } from '@/lib/data/invitations.test-support'
import { deliverDueEmails } from '@/lib/email/outbox'
import type { EmailMessage, EmailTransport } from '@/lib/email/transport'
import { isWellFormedToken } from '@/lib/validations/invitation'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { actions, ago, config, createSecurityWorld, DAY, dump, form, uniqueEmail, type SecurityWorld } from './fixtures'

let t: TestDb
let w: SecurityWorld
beforeAll(async () => {
  t = await createTestDb()
  w = await createSecurityWorld(t.db)
})
afterAll(async () => t.cleanup())

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000)

/** Invites `n` addresses (with a project grant) and resends the first `resent` of them; every token issued, live or dead. */
async function issueTokens(n: number, resent: number) {
  const r = await createInvitations(
    t.db,
    {
      orgId: w.org.id,
      actorId: w.owner.id,
      emails: Array.from({ length: n }, () => uniqueEmail('tok')),
      role: 'member',
      permissions: ['members:read'],
      projectGrants: [{ projectId: w.projects.hidden.id, level: 'view' }],
    },
    { ...config, now: ago(5 * 60_000) },
  )
  if (!r.ok) throw new Error(r.message)
  const invitations = await Promise.all(
    r.results.map(async (res, i) => ({ id: res.invitationId!, email: res.email, token: await tokenOfEmail(t.db, r.emailIds[i]), dead: [] as string[], emailIds: [r.emailIds[i]] })),
  )
  for (const inv of invitations.slice(0, resent)) {
    const again = await resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: inv.id }, { ...config, cooldownMs: 0 })
    if (!again.ok) throw new Error(again.message)
    inv.dead.push(inv.token)
    inv.token = await tokenOfEmail(t.db, again.emailId)
    inv.emailIds.push(again.emailId)
  }
  return invitations
}

describe('tokens', () => {
  it('are 32 random bytes in base64url (43 characters), all distinct, never an id', async () => {
    const invs = await issueTokens(20, 5)
    const all = invs.flatMap((i) => [i.token, ...i.dead])
    expect(all).toHaveLength(25)
    expect(new Set(all).size).toBe(25)
    for (const token of all) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(isWellFormedToken(token)).toBe(true)
      const bytes = Buffer.from(token, 'base64url')
      expect(bytes).toHaveLength(32)
      expect(bytes.toString('base64url')).toBe(token)
    }
    for (const inv of invs) expect(all).not.toContain(inv.id)
  })

  it('a dump of every table holds each token only as its SHA-256 in invitations, and in clear only in the body of the email that carries it', async () => {
    const invs = await issueTokens(10, 4)
    const tables = await dump(t.db)
    expect(Object.keys(tables)).toEqual(expect.arrayContaining(['invitations', 'email_outbox', 'audit_events', 'users', 'memberships']))
    const outbox = tables.email_outbox.map((r) => JSON.parse(r) as Record<string, unknown>)
    for (const inv of invs) {
      // invitations.token_hash = sha256(token); no other column or table holds the token or the hash of a dead one.
      const row = tables.invitations.map((r) => JSON.parse(r) as Record<string, unknown>).find((r) => r.id === inv.id)!
      expect(row.token_hash).toBe(sha256(inv.token))
      for (const [table, rows] of Object.entries(tables)) {
        const text = rows.join('\n')
        if (table !== 'email_outbox') {
          for (const token of [inv.token, ...inv.dead]) expect(text, `${table} holds a token`).not.toContain(token)
        }
        for (const dead of inv.dead) expect(text, `${table} holds the hash of a dead token`).not.toContain(sha256(dead))
      }
      // The outbox: each token in the html and text of its own email only (the link must be sent), nowhere else.
      for (const [i, token] of [...inv.dead, inv.token].entries()) {
        const holders = outbox.filter((r) => JSON.stringify(r).includes(token))
        expect(holders.map((r) => r.id)).toEqual([inv.emailIds[i]])
        const { html, text, ...rest } = holders[0]
        expect(String(text)).toContain(`/invitations/${token}`)
        expect(String(html)).toContain(`/invitations/${token}`)
        expect(JSON.stringify(rest)).not.toContain(token)
        expect(rest.recipient).toBe(inv.email)
      }
    }
  })

  it('once an invitation email is sent, no table holds its token any longer', async () => {
    // DESIGN.md section 4: the token is "stored only as its SHA-256". The outbox must hold the
    // link until the provider accepted the email; after that the body is dead weight that turns a
    // database read (backup, replica, support query) into working invitation links.
    const invs = await issueTokens(3, 0)
    const sent: EmailMessage[] = []
    const transport: EmailTransport = {
      async send(m) {
        sent.push(m)
        return { ok: true, providerId: `fake-${sent.length}` }
      },
    }
    await deliverDueEmails(t.db, transport, { from: 'test@example.com', limit: 1000, onlyIds: invs.flatMap((i) => i.emailIds) })
    for (const inv of invs) expect(sent.find((m) => m.to === inv.email)?.text).toContain(`/invitations/${inv.token}`)
    const tables = await dump(t.db)
    for (const inv of invs) {
      const holders = Object.entries(tables)
        .filter(([, rows]) => rows.some((r) => r.includes(inv.token)))
        .map(([table]) => table)
      expect(holders, `tables holding the token of a sent invitation email`).toEqual([])
    }
  })
})

describe('unknown and malformed tokens get one answer', () => {
  const malformed = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...'ABCabc012-_+/=.%\u0000\n '.split('')), minLength: 40, maxLength: 46 }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64')), // base64, not base64url
    fc.uint8Array({ minLength: 31, maxLength: 33 }).map((b) => Buffer.from(b).toString('base64url')),
  ).filter((s) => !isWellFormedToken(s))
  const unknown = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url'))

  it(`malformed (${RUNS} cases): null and not_found, the page's lookup costing what an unknown token's does`, async () => {
    await fc.assert(
      fc.asyncProperty(malformed, async (token) => {
        const start = queryCounter.count
        expect(await getInvitationByToken(t.db, token)).toBeNull()
        expect(queryCounter.count - start).toBe(1)
        expect(await claimInvitationForNewUser(t.db, token)).toEqual({ ok: false, error: 'not_found' })
        expect(queryCounter.count - start).toBe(1)
      }),
      { numRuns: RUNS },
    )
  })

  it(`well-formed but unknown (${Math.ceil(RUNS / 4)} cases): the same null and not_found, one lookup by hash`, async () => {
    await fc.assert(
      fc.asyncProperty(unknown, async (token) => {
        const start = queryCounter.count
        expect(await getInvitationByToken(t.db, token)).toBeNull()
        expect(queryCounter.count - start).toBe(1)
        expect(await claimInvitationForNewUser(t.db, token)).toEqual({ ok: false, error: 'not_found' })
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    )
  })

  it('"continue as" answers an unknown token exactly as a revoked, expired or answered one (only the format is told apart)', async () => {
    const act = actions(t.db)
    const signedOut = async () => null
    const [revoked, expired, answered] = await Promise.all([issueTokens(1, 0), Promise.resolve(null), Promise.resolve(null)]).then(async ([r]) => {
      await revokeInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: r[0].id })
      const e = await createInvitations(
        t.db,
        { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail('old')], role: 'member', permissions: [], projectGrants: [] },
        { ...config, now: ago(8 * DAY) },
      )
      const invitee = await createUser(t.db, uniqueEmail('answered'))
      const a = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [invitee.email], role: 'member', permissions: [], projectGrants: [] }, config)
      if (!e.ok || !a.ok) throw new Error('set-up')
      await acceptInvitation(t.db, { invitationId: a.results[0].invitationId!, userId: invitee.id })
      return [r[0].token, await tokenOfEmail(t.db, e.emailIds[0]), await tokenOfEmail(t.db, a.emailIds[0])]
    })
    const unknownToken = Buffer.alloc(32, 7).toString('base64url')
    const answers = await Promise.all([unknownToken, revoked, expired, answered].map((token) => act.continueAsInvited(form([['token', token]]), signedOut)))
    for (const a of answers) expect(a).toEqual(answers[0])
    expect(answers[0]).toMatchObject({ status: 'error', message: 'This invitation can no longer be used.' })
    expect(await act.continueAsInvited(form([['token', 'x']]), signedOut)).toMatchObject({ status: 'error', message: 'This invitation link is not valid.' })
  })
})

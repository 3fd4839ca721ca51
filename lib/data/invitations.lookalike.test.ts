// Issue 15, item 5 (lookalike addresses) and the invite result of a caller who may invite but
// not view members: what createInvitations reports for each address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { invitations } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createInvitations } from './invitations/create-invitations'
import { addMember, config, counts, createWorld, uniqueEmail } from './invitations.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const invite = (orgId: string, actorId: string, emails: string[]) =>
  createInvitations(t.db, { orgId, actorId, emails, role: 'member', permissions: [], projectGrants: [] }, config)

/** The address with its first Latin a, e, o or c swapped for the Cyrillic letter drawn the same. */
const cyrillic = (email: string) => email.replace(/[aeoc]/, (c) => ({ a: 'а', e: 'е', o: 'о', c: 'с' })[c]!)

describe('createInvitations: lookalike addresses', () => {
  it('does not invite a Cyrillic lookalike of a member’s address, and names the member it looks like', async () => {
    const w = await createWorld(t.db)
    const alice = await addMember(t.db, w.org.id, 'member', [], uniqueEmail('alice'))
    const fake = cyrillic(alice.email)
    expect(fake).not.toBe(alice.email)
    const before = await counts(t.db)
    const r = await invite(w.org.id, w.owner.id, [fake])
    expect(r).toEqual({ ok: true, results: [{ email: fake, outcome: 'lookalike', lookalikeOf: alice.email }], emailIds: [] })
    expect(await counts(t.db)).toEqual(before)
  })

  it('invites the other addresses of the batch, real non-ASCII ones included', async () => {
    const w = await createWorld(t.db)
    const fake = cyrillic(w.admin.email)
    const ivan = `иван-${uniqueEmail().split('@')[0]}@пример.рф`
    const r = await invite(w.org.id, w.owner.id, [fake, ivan, uniqueEmail('new')])
    expect(r.ok && r.results.map((x) => [x.outcome, x.lookalikeOf])).toEqual([
      ['lookalike', w.admin.email],
      ['invited', undefined],
      ['invited', undefined],
    ])
    expect(await t.db.select().from(invitations).where(eq(invitations.email, fake))).toHaveLength(0)
  })

  it('reports addresses with invisible or fullwidth characters as invalid and invites none of them', async () => {
    const w = await createWorld(t.db)
    const [local, domain] = w.member.email.split('@')
    const addresses = [`${local}\u200b@${domain}`, `${local}\u202e@${domain}`, `ｍ${local.slice(1)}@${domain}`]
    const r = await invite(w.org.id, w.owner.id, addresses)
    expect(r.ok && r.results.map((x) => x.outcome)).toEqual(['invalid', 'invalid', 'invalid'])
  })
})

describe('createInvitations: a caller holding Invite members but not View members', () => {
  it('gets "not invited" without the reason for members, invitees and lookalikes', async () => {
    const w = await createWorld(t.db)
    const blind = await addMember(t.db, w.org.id, 'member', ['members:invite'])
    const pending = uniqueEmail('pending')
    expect(await invite(w.org.id, w.owner.id, [pending])).toMatchObject({ ok: true, results: [{ outcome: 'invited' }] })
    const fresh = uniqueEmail('fresh')
    const r = await invite(w.org.id, blind.id, [w.member.email, pending, cyrillic(w.admin.email), fresh, 'bad'])
    expect(r.ok && r.results).toEqual([
      { email: w.member.email, outcome: 'not_invited' },
      { email: pending, outcome: 'not_invited' },
      { email: cyrillic(w.admin.email), outcome: 'not_invited' },
      { email: fresh, outcome: 'invited', invitationId: expect.any(String) },
      { email: 'bad', outcome: 'invalid' },
    ])
  })

  it('also when no address at all is invited', async () => {
    const w = await createWorld(t.db)
    const blind = await addMember(t.db, w.org.id, 'member', ['members:invite'])
    const r = await invite(w.org.id, blind.id, [w.owner.email])
    expect(r).toEqual({ ok: true, results: [{ email: w.owner.email, outcome: 'not_invited' }], emailIds: [] })
  })

  it('while a caller holding View members still gets the reasons', async () => {
    const w = await createWorld(t.db)
    const r = await invite(w.org.id, w.inviter.id, [w.member.email, cyrillic(w.admin.email)])
    expect(r.ok && r.results).toEqual([
      { email: w.member.email, outcome: 'already_member' },
      { email: cyrillic(w.admin.email), outcome: 'lookalike', lookalikeOf: w.admin.email },
    ])
  })
})

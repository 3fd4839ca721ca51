// Statements per operation of the invitation flow, counted where the driver is called
// (queryCounter in db/client.ts; BEGIN and COMMIT count, on PGlite as on pg). Each statement
// costs a round trip and main-thread time, so these are budgets: a change that adds one fails
// here, with the statements listed. Counts, not timings, so they hold on any machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { queryCounter } from '@/db/client'
import { organizations } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation } from './invitations/accept-invitation'
import { createInvitations } from './invitations/create-invitations'
import { resendInvitation } from './invitations/resend-invitation'
import { revokeInvitation } from './invitations/revoke-invitation'
import { addProject, config, createWorld, uniqueEmail } from './invitations.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

type World = Awaited<ReturnType<typeof createWorld>>

/** Runs `fn` and returns its result with the statements it sent. */
async function statementsOf<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const log: string[] = []
  queryCounter.log = log
  try {
    return { result: await fn(), statements: log }
  } finally {
    queryCounter.log = null
  }
}

const listed = (statements: string[]) => statements.map((s, i) => `  ${i + 1}. ${s.replace(/\s+/g, ' ').trim().slice(0, 160)}`).join('\n')

function expectAtMost(statements: string[], budget: number, what: string) {
  expect(statements.length, `${what}: ${statements.length} statements, budget ${budget}\n${listed(statements)}`).toBeLessThanOrEqual(budget)
}

async function invite(w: World, emails: string[], projectGrants: { projectId: string; level: 'view' | 'edit' | 'admin' }[] = []) {
  const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails, role: 'member', permissions: ['members:read'], projectGrants }, config)
  if (!r.ok) throw new Error(r.message)
  return r
}

describe('statements per operation', () => {
  it('invite: 4 (BEGIN, the locks with what the checks need, one batch statement, COMMIT), the same for 1 and 50 addresses, with a seat limit or not', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id)
    const one = await statementsOf(() => invite(w, [uniqueEmail()]))
    const fifty = await statementsOf(() => invite(w, Array.from({ length: 50 }, () => uniqueEmail('bulk'))))
    const withGrant = await statementsOf(() => invite(w, Array.from({ length: 50 }, () => uniqueEmail('granted')), [{ projectId: project.id, level: 'view' }]))
    expect(one.result.results.map((r) => r.outcome)).toEqual(['invited'])
    expect(fifty.result.results.every((r) => r.outcome === 'invited')).toBe(true)
    expect(withGrant.result.results.every((r) => r.outcome === 'invited')).toBe(true)
    expectAtMost(one.statements, 4, 'invite 1')
    expect(fifty.statements.length, `invite 50 vs invite 1\n${listed(fifty.statements)}`).toBe(one.statements.length)
    expect(withGrant.statements.length, `invite 50 with a project grant\n${listed(withGrant.statements)}`).toBe(one.statements.length)

    // Addresses that are members, already invited or invalid cost nothing more.
    const mixed = await statementsOf(() => invite(w, [w.member.email, one.result.results[0].email, 'not an email', uniqueEmail()]))
    expect(mixed.result.results.map((r) => r.outcome)).toEqual(['already_member', 'already_invited', 'invalid', 'invited'])
    expect(mixed.statements.length, listed(mixed.statements)).toBe(one.statements.length)

    // A seat limit changes nothing: every invite runs under the organization lock (issue 16).
    await t.db.update(organizations).set({ seatLimit: 1000 }).where(eq(organizations.id, w.org.id))
    const limited = await statementsOf(() => invite(w, Array.from({ length: 50 }, () => uniqueEmail('limited'))))
    expect(limited.result.results.every((r) => r.outcome === 'invited')).toBe(true)
    expect(limited.statements.length, `invite 50 with a seat limit\n${listed(limited.statements)}`).toBe(one.statements.length)
  })

  it('revoke: 1 (the actor check, the conditional update and its audit event in one statement)', async () => {
    const w = await createWorld(t.db)
    const r = await invite(w, [uniqueEmail()])
    const revoke = await statementsOf(() => revokeInvitation(t.db, { orgId: w.org.id, actorId: w.admin.id, invitationId: r.results[0].invitationId! }))
    expect(revoke.result).toEqual({ ok: true })
    expectAtMost(revoke.statements, 1, 'revoke')
  })

  it('accept: 5 (BEGIN, the locks, the conditional update with what the checks need, the writes, COMMIT)', async () => {
    const w = await createWorld(t.db)
    const [p1, p2] = [await addProject(t.db, w.org.id), await addProject(t.db, w.org.id)]
    const invitee = await createUser(t.db, uniqueEmail('invitee'))
    const r = await invite(w, [invitee.email], [
      { projectId: p1.id, level: 'edit' },
      { projectId: p2.id, level: 'view' },
    ])
    const accept = await statementsOf(() => acceptInvitation(t.db, { invitationId: r.results[0].invitationId!, userId: invitee.id }))
    expect(accept.result.ok).toBe(true)
    expectAtMost(accept.statements, 5, 'accept')
  })

  it('resend: 5 (BEGIN, the locks, one read, one write, COMMIT)', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id)
    const r = await invite(w, [uniqueEmail()], [{ projectId: project.id, level: 'view' }])
    const resend = await statementsOf(() =>
      resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId: r.results[0].invitationId! }, { ...config, cooldownMs: 0 }),
    )
    expect(resend.result.ok).toBe(true)
    expectAtMost(resend.statements, 5, 'resend')
  })
})

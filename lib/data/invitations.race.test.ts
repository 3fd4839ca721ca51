import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { emailOutbox, invitations, memberships, projectMembers } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation, createInvitations, declineInvitation, resendInvitation, revokeInvitation } from './invitations'
import { addProject, config, createWorld, uniqueEmail } from './invitations.test-support'

// On real Postgres (DATABASE_URL set, as in CI) these are real races over a pool of 50
// connections; on PGlite the same calls interleave on its single connection.
let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

async function inviteOne(w: Awaited<ReturnType<typeof createWorld>>, email: string, projectId?: string) {
  const r = await createInvitations(
    t.db,
    {
      orgId: w.org.id,
      actorId: w.owner.id,
      emails: [email],
      role: 'member',
      permissions: ['members:read'],
      projectGrants: projectId ? [{ projectId, level: 'edit' }] : [],
    },
    config,
  )
  if (!r.ok || !r.results[0].invitationId) throw new Error('invite failed')
  return r.results[0].invitationId
}

describe('races', () => {
  it('40 concurrent accepts of one invitation make exactly one membership', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id)
    const invitee = await createUser(t.db, uniqueEmail('racer'))
    const invitationId = await inviteOne(w, invitee.email, project.id)

    const results = await Promise.all(Array.from({ length: 40 }, () => acceptInvitation(t.db, { invitationId, userId: invitee.id })))
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error === 'already_answered')).toBe(true)
    const members = await t.db.select().from(memberships).where(and(eq(memberships.organizationId, w.org.id), eq(memberships.userId, invitee.id)))
    expect(members).toHaveLength(1)
    const access = await t.db.select().from(projectMembers).where(eq(projectMembers.userId, invitee.id))
    expect(access).toHaveLength(1)
  })

  it('accept racing revoke never ends revoked with a member', async () => {
    const w = await createWorld(t.db)
    const tally = { accepted: 0, revoked: 0 }
    for (let round = 0; round < 25; round++) {
      const invitee = await createUser(t.db, uniqueEmail('contested'))
      const invitationId = await inviteOne(w, invitee.email)
      const accept = () => acceptInvitation(t.db, { invitationId, userId: invitee.id })
      const revoke = () => revokeInvitation(t.db, { orgId: w.org.id, actorId: w.admin.id, invitationId })
      const [a, r] = round % 2 ? await Promise.all([accept(), revoke()]) : (await Promise.all([revoke(), accept()])).reverse()
      const [row] = await t.db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, invitationId))
      const member = await t.db.select().from(memberships).where(and(eq(memberships.organizationId, w.org.id), eq(memberships.userId, invitee.id)))
      expect(a.ok !== r.ok).toBe(true)
      if (row.status === 'revoked') {
        expect(member).toHaveLength(0)
        tally.revoked++
      } else {
        expect(row.status).toBe('accepted')
        expect(member).toHaveLength(1)
        tally.accepted++
      }
    }
    expect(tally.accepted + tally.revoked).toBe(25)
  })

  it('accept racing decline gives one answer', async () => {
    const w = await createWorld(t.db)
    const invitee = await createUser(t.db, uniqueEmail('torn'))
    const invitationId = await inviteOne(w, invitee.email)
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 ? acceptInvitation(t.db, { invitationId, userId: invitee.id }) : declineInvitation(t.db, { invitationId, userId: invitee.id }),
      ),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    const [row] = await t.db.select({ status: invitations.status }).from(invitations).where(eq(invitations.id, invitationId))
    const member = await t.db.select().from(memberships).where(and(eq(memberships.organizationId, w.org.id), eq(memberships.userId, invitee.id)))
    expect(member).toHaveLength(row.status === 'accepted' ? 1 : 0)
  })

  it('20 concurrent invitations of one address leave one pending invitation and one email', async () => {
    const w = await createWorld(t.db)
    const email = uniqueEmail('popular')
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createInvitations(
          t.db,
          { orgId: w.org.id, actorId: i % 2 ? w.owner.id : w.admin.id, emails: [i % 3 ? email : email.toUpperCase()], role: 'member', permissions: [], projectGrants: [] },
          config,
        ),
      ),
    )
    const outcomes = results.map((r) => (r.ok ? r.results[0].outcome : r.error))
    expect(outcomes.filter((o) => o === 'invited')).toHaveLength(1)
    expect(outcomes.filter((o) => o === 'already_invited')).toHaveLength(19)
    const pending = await t.db
      .select()
      .from(invitations)
      .where(and(eq(invitations.organizationId, w.org.id), eq(invitations.email, email), eq(invitations.status, 'pending')))
    expect(pending).toHaveLength(1)
    const emails = await t.db.select().from(emailOutbox).where(eq(emailOutbox.recipient, email))
    expect(emails).toHaveLength(1)
  })

  it('concurrent resends send one email within the cooldown', async () => {
    const w = await createWorld(t.db)
    const email = uniqueEmail('resent')
    const r = await createInvitations(
      t.db,
      { orgId: w.org.id, actorId: w.owner.id, emails: [email], role: 'member', permissions: [], projectGrants: [] },
      { ...config, now: new Date(Date.now() - 5 * 60_000) },
    )
    const invitationId = r.ok ? r.results[0].invitationId! : ''
    const results = await Promise.all(Array.from({ length: 10 }, () => resendInvitation(t.db, { orgId: w.org.id, actorId: w.owner.id, invitationId }, config)))
    expect(results.filter((x) => x.ok)).toHaveLength(1)
    expect(results.filter((x) => !x.ok).every((x) => !x.ok && x.error === 'cooldown')).toBe(true)
    const emails = await t.db.select().from(emailOutbox).where(eq(emailOutbox.recipient, email))
    expect(emails).toHaveLength(2)
  })
})

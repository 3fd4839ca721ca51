import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { Client } from 'pg'
import { emailOutbox, invitations, memberships, organizations, projectMembers } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation } from './invitations/accept-invitation'
import { createInvitations } from './invitations/create-invitations'
import { declineInvitation } from './invitations/decline-invitation'
import { resendInvitation } from './invitations/resend-invitation'
import { revokeInvitation } from './invitations/revoke-invitation'
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

  it('concurrent invites of distinct addresses share the last free seats, never more', async () => {
    const w = await createWorld(t.db) // 4 members
    await t.db.update(organizations).set({ seatLimit: 7 }).where(eq(organizations.id, w.org.id))
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createInvitations(
          t.db,
          { orgId: w.org.id, actorId: i % 2 ? w.owner.id : w.admin.id, emails: [uniqueEmail(`seat${i}`)], role: 'member', permissions: [], projectGrants: [] },
          config,
        ),
      ),
    )
    const outcomes = results.map((r) => (r.ok ? r.results[0].outcome : r.error))
    expect(outcomes.filter((o) => o === 'invited')).toHaveLength(3)
    expect(outcomes.filter((o) => o === 'seat_limit')).toHaveLength(9)
    const pending = await t.db.select().from(invitations).where(and(eq(invitations.organizationId, w.org.id), eq(invitations.status, 'pending')))
    expect(pending).toHaveLength(3)
  })
})

// An invite to an organization with a seat limit reads the actor's membership in the statement that
// takes the organization lock; when it had to wait for the lock, that read predates whatever the lock
// holder committed. These hold the lock from another connection, change the organization under it, and
// check the invite decides on what holds once it has the lock. Real Postgres only (PGlite has one
// connection). An organization without a seat limit takes the same lock (last test).
describe('an invite that waited for the organization lock', () => {
  async function underOrganizationLock<T>(orgId: string, change: (c: Client) => Promise<void>, run: () => Promise<T>): Promise<T> {
    const url = t.handle.pool!.options.connectionString!
    const holder = new Client({ connectionString: url })
    const watcher = new Client({ connectionString: url })
    await Promise.all([holder.connect(), watcher.connect()])
    try {
      await holder.query('begin')
      await holder.query('select 1 from organizations where id = $1 for no key update', [orgId])
      const pending = run()
      // Wait until the invite is queued behind the lock, so its snapshot predates the change.
      for (let i = 0; ; i++) {
        const { rows } = await watcher.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)
        if (rows[0].n > 0) break
        if (i > 200) throw new Error('the invite never waited for the lock')
        await new Promise((r) => setTimeout(r, 10))
      }
      await change(holder)
      await holder.query('commit')
      return await pending
    } finally {
      await Promise.all([holder.end(), watcher.end()])
    }
  }

  it('is refused when the inviter lost members:invite meanwhile, and writes nothing', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const w = await createWorld(t.db)
    await t.db.update(organizations).set({ seatLimit: 100 }).where(eq(organizations.id, w.org.id))
    const email = uniqueEmail('late')
    const result = await underOrganizationLock(
      w.org.id,
      async (c) => {
        await c.query(`update memberships set permissions = '{members:read}' where organization_id = $1 and user_id = $2`, [w.org.id, w.inviter.id])
      },
      () => createInvitations(t.db, { orgId: w.org.id, actorId: w.inviter.id, emails: [email], role: 'member', permissions: [], projectGrants: [] }, config),
    )
    expect(result).toMatchObject({ ok: false, error: 'forbidden' })
    expect(await t.db.select().from(invitations).where(eq(invitations.email, email))).toHaveLength(0)
    expect(await t.db.select().from(emailOutbox).where(eq(emailOutbox.recipient, email))).toHaveLength(0)
  })

  it('counts the seat taken meanwhile, and sees the address that became a member', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const w = await createWorld(t.db) // 4 members
    await t.db.update(organizations).set({ seatLimit: 6 }).where(eq(organizations.id, w.org.id))
    const joiner = await createUser(t.db, uniqueEmail('joiner'))
    const [fresh, other] = [uniqueEmail('fresh'), uniqueEmail('other')]
    const result = await underOrganizationLock(
      w.org.id,
      async (c) => {
        await c.query(`insert into memberships (organization_id, user_id, role) values ($1, $2, 'member')`, [w.org.id, joiner.id])
      },
      () => createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [joiner.email, fresh, other], role: 'member', permissions: [], projectGrants: [] }, config),
    )
    expect(result.ok && result.results.map((r) => r.outcome)).toEqual(['already_member', 'invited', 'seat_limit'])
  })

  it('without a seat limit, meets a limit set meanwhile: counts seats under the lock, and writes nothing', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const w = await createWorld(t.db) // 4 members, no seat limit
    const email = uniqueEmail('unlocked')
    const result = await underOrganizationLock(
      w.org.id,
      async (c) => {
        await c.query(`update organizations set seat_limit = 4 where id = $1`, [w.org.id])
      },
      () => createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [email], role: 'member', permissions: [], projectGrants: [] }, config),
    )
    expect(result.ok && result.results.map((r) => r.outcome)).toEqual(['seat_limit'])
    expect(await t.db.select().from(invitations).where(eq(invitations.email, email))).toHaveLength(0)
    expect(await t.db.select().from(emailOutbox).where(eq(emailOutbox.recipient, email))).toHaveLength(0)
  })
})

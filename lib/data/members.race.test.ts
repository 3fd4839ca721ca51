import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, count, eq } from 'drizzle-orm'
import { memberships } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation } from './invitations/accept-invitation'
import { createInvitations } from './invitations/create-invitations'
import { leaveOrganization } from './members/leave-organization'
import { makeOwner } from './members/make-owner'
import { removeMember } from './members/remove-member'
import { updateMemberAccess } from './members/update-member-access'
import { setSeatLimit } from './organizations'
import { config, createWorld, getSeatUsage, uniqueEmail } from './invitations.test-support'

// On real Postgres (DATABASE_URL set, as in CI) these are real races over a pool of 50
// connections; on PGlite the same calls interleave on its single connection.
let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

async function owners(orgId: string) {
  const [{ n }] = await t.db.select({ n: count() }).from(memberships).where(and(eq(memberships.organizationId, orgId), eq(memberships.role, 'owner')))
  return n
}

describe('last-owner races', () => {
  it('two owners removing each other at once leave one owner, every round', async () => {
    const rounds = 30
    for (let round = 0; round < rounds; round++) {
      const w = await createWorld(t.db)
      await makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.admin.id })
      const [a, b] = await Promise.all([
        removeMember(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.admin.id }),
        removeMember(t.db, { orgId: w.org.id, actorId: w.admin.id, userId: w.owner.id }),
      ])
      expect([a, b].filter((r) => r.ok)).toHaveLength(1)
      expect(await owners(w.org.id)).toBe(1)
    }
  })

  it('two owners leaving at once leave one owner, every round', async () => {
    for (let round = 0; round < 30; round++) {
      const w = await createWorld(t.db)
      await makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.admin.id })
      const results = await Promise.all([leaveOrganization(t.db, { orgId: w.org.id, userId: w.owner.id }), leaveOrganization(t.db, { orgId: w.org.id, userId: w.admin.id })])
      expect(results.filter((r) => r.ok)).toHaveLength(1)
      expect(results.find((r) => !r.ok)).toMatchObject({ error: 'last_owner' })
      expect(await owners(w.org.id)).toBe(1)
    }
  })

  it('an owner leaving while another demotes it, or removes it, still leaves an owner', async () => {
    for (let round = 0; round < 20; round++) {
      const w = await createWorld(t.db)
      await makeOwner(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.admin.id })
      await Promise.all([
        leaveOrganization(t.db, { orgId: w.org.id, userId: w.owner.id }),
        updateMemberAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.admin.id, role: 'member', permissions: [] }),
        removeMember(t.db, { orgId: w.org.id, actorId: w.admin.id, userId: w.owner.id }),
        leaveOrganization(t.db, { orgId: w.org.id, userId: w.admin.id }),
      ])
      expect(await owners(w.org.id)).toBeGreaterThanOrEqual(1)
    }
  })
})

describe('seat races', () => {
  it('accepts racing for the last seat: exactly one gets in', async () => {
    for (let round = 0; round < 5; round++) {
      const w = await createWorld(t.db) // 4 members
      const invitees = await Promise.all(Array.from({ length: 5 }, () => createUser(t.db, uniqueEmail('seat'))))
      const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: invitees.map((u) => u.email), role: 'member', permissions: [], projectGrants: [] }, config)
      if (!r.ok) throw new Error('setup')
      // Lowered after inviting: only one more member fits.
      expect(await setSeatLimit(t.db, { orgId: w.org.id, actorId: w.owner.id, seatLimit: 5 })).toMatchObject({ ok: true })
      const results = await Promise.all(invitees.map((u, i) => acceptInvitation(t.db, { invitationId: r.results[i].invitationId!, userId: u.id })))
      expect(results.filter((x) => x.ok)).toHaveLength(1)
      expect(results.filter((x) => !x.ok).every((x) => !x.ok && x.error === 'seat_limit')).toBe(true)
      const [{ n }] = await t.db.select({ n: count() }).from(memberships).where(eq(memberships.organizationId, w.org.id))
      expect(n).toBe(5)
    }
  })

  it('concurrent invitations never take more seats than are free', async () => {
    const w = await createWorld(t.db) // 4 members
    await setSeatLimit(t.db, { orgId: w.org.id, actorId: w.owner.id, seatLimit: 10 })
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        createInvitations(t.db, { orgId: w.org.id, actorId: w.admin.id, emails: [uniqueEmail('c1'), uniqueEmail('c2')], role: 'member', permissions: [], projectGrants: [] }, config),
      ),
    )
    const invited = results.flatMap((r) => (r.ok ? r.results : [])).filter((x) => x.outcome === 'invited')
    expect(invited).toHaveLength(6)
    expect(await getSeatUsage(t.db, { orgId: w.org.id })).toEqual({ limit: 10, used: 10 })
  })
})

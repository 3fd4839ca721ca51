import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { auditEvents, memberships, organizations } from '@/db/schema'
import { ALL_PERMISSIONS } from '@/lib/permissions'
import { createOrganization, getOrgForMember, listMyOrganizations } from './organizations'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

describe('createOrganization', () => {
  it('makes the creator its owner, with a slug from the name, and audits it', async () => {
    const ada = await createUser(t.db)
    const org = await createOrganization(t.db, { name: 'Acme Rockets', userId: ada.id })
    expect(org.slug).toBe('acme-rockets')
    const ctx = await getOrgForMember(t.db, { slug: org.slug, userId: ada.id })
    expect(ctx?.membership.role).toBe('owner')
    expect(ctx?.membership.permissions).toEqual(ALL_PERMISSIONS)
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.organizationId, org.id))
    expect(events.map((e) => e.action)).toEqual(['organization.created'])
  })

  it('gives a second organization of the same name its own slug', async () => {
    const bob = await createUser(t.db)
    const first = await createOrganization(t.db, { name: 'Same Name', userId: bob.id })
    const second = await createOrganization(t.db, { name: 'Same Name', userId: bob.id })
    expect(first.slug).toBe('same-name')
    expect(second.slug).toMatch(/^same-name-[0-9a-f]{6}$/)
  })

  it('gives unique slugs to organizations created at once', async () => {
    const carol = await createUser(t.db)
    const orgs = await Promise.all(Array.from({ length: 10 }, () => createOrganization(t.db, { name: 'Racing', userId: carol.id })))
    expect(new Set(orgs.map((o) => o.slug)).size).toBe(10)
  })
})

describe('getOrgForMember', () => {
  it('returns null to a non-member, as if the organization did not exist', async () => {
    const owner = await createUser(t.db)
    const stranger = await createUser(t.db)
    const org = await createOrganization(t.db, { name: 'Private', userId: owner.id })
    expect(await getOrgForMember(t.db, { slug: org.slug, userId: stranger.id })).toBeNull()
    expect(await getOrgForMember(t.db, { slug: 'no-such-org', userId: owner.id })).toBeNull()
  })

  it('gives a member exactly the permissions granted', async () => {
    const owner = await createUser(t.db)
    const member = await createUser(t.db)
    const org = await createOrganization(t.db, { name: 'Granted', userId: owner.id })
    await t.db.insert(memberships).values({ organizationId: org.id, userId: member.id, role: 'member', permissions: ['members:read', 'bogus'] })
    const ctx = await getOrgForMember(t.db, { slug: org.slug, userId: member.id })
    expect(ctx?.membership.permissions).toEqual(['members:read'])
  })
})

describe('listMyOrganizations', () => {
  it('lists only the caller’s organizations, by name', async () => {
    const dan = await createUser(t.db)
    const eve = await createUser(t.db)
    await createOrganization(t.db, { name: 'zeta', userId: dan.id })
    await createOrganization(t.db, { name: 'Alpha', userId: dan.id })
    await createOrganization(t.db, { name: 'Eve Co', userId: eve.id })
    const list = await listMyOrganizations(t.db, { userId: dan.id })
    expect(list.map((o) => o.name)).toEqual(['Alpha', 'zeta'])
    const all = await t.db.select().from(organizations)
    expect(all.length).toBeGreaterThan(list.length)
  })
})

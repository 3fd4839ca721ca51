import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { count, eq } from 'drizzle-orm'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { auditEvents, invitations, memberships, projectMembers, projects } from '@/db/schema'
import { countSeatsUsed, createOrganization } from './organizations'
import { queryCounter } from '@/db/client'
import { encodeCursor } from './cursor'
import { listMembers } from './members/list-members'
import { createProject } from './projects/create-project'
import { listGrantableProjects } from './projects/list-grantable-projects'
import { listVisibleProjects } from './projects/list-visible-projects'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

async function orgWithMember(permissions: string[]) {
  const owner = await createUser(t.db)
  const member = await createUser(t.db)
  const org = await createOrganization(t.db, { name: 'Org', userId: owner.id })
  await t.db.insert(memberships).values({ organizationId: org.id, userId: member.id, role: 'member', permissions })
  return { owner, member, org }
}

describe('listMembers', () => {
  it('pages through every member once, newest first, for a caller with members:read', async () => {
    const { owner, org } = await orgWithMember([])
    for (let i = 0; i < 5; i++) {
      const u = await createUser(t.db)
      await t.db.insert(memberships).values({ organizationId: org.id, userId: u.id, role: 'member', permissions: [] })
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = await listMembers(t.db, { orgId: org.id, actorId: owner.id, limit: 3, cursor })
      expect(page).not.toBeNull()
      expect(page!.total).toBe(7)
      seen.push(...page!.items.map((m) => m.userId))
      cursor = page!.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(7)
    expect(new Set(seen).size).toBe(7)
    expect(seen[seen.length - 1]).toBe(owner.id)
  })

  it('refuses a member without members:read and a stranger', async () => {
    const { member, org } = await orgWithMember(['members:invite'])
    const stranger = await createUser(t.db)
    expect(await listMembers(t.db, { orgId: org.id, actorId: member.id })).toBeNull()
    expect(await listMembers(t.db, { orgId: org.id, actorId: stranger.id })).toBeNull()
  })

  it('reads a page, its total and the caller’s right in one query; an empty page takes one more to tell "none" from "refused"', async () => {
    const { owner, org, member } = await orgWithMember([])
    const start = queryCounter.count
    expect((await listMembers(t.db, { orgId: org.id, actorId: owner.id, limit: 1 }))?.items).toHaveLength(1)
    expect(queryCounter.count - start).toBe(1)
    const later = queryCounter.count
    const past = await listMembers(t.db, { orgId: org.id, actorId: owner.id, cursor: encodeCursor(new Date(0), '00000000-0000-0000-0000-000000000000') })
    expect(past).toEqual({ items: [], nextCursor: null, total: 2, seatsUsed: 2 })
    expect(queryCounter.count - later).toBe(2)
    expect(await listMembers(t.db, { orgId: org.id, actorId: member.id, cursor: encodeCursor(new Date(0), '00000000-0000-0000-0000-000000000000') })).toBeNull()
  })

  it('counts seats as countSeatsUsed does: members and unexpired pending invitations, on every page', async () => {
    const { owner, org } = await orgWithMember([])
    const now = new Date()
    const invite = (email: string, status: 'pending' | 'revoked', expiresAt: Date) =>
      ({ organizationId: org.id, email, role: 'member' as const, invitedBy: owner.id, status, tokenHash: `seat-${email}-${org.id}`, expiresAt })
    await t.db.insert(invitations).values([
      invite('held@seats.test', 'pending', new Date(now.getTime() + 86_400_000)),
      invite('lapsed@seats.test', 'pending', new Date(now.getTime() - 1000)),
      invite('revoked@seats.test', 'revoked', new Date(now.getTime() + 86_400_000)),
    ])
    expect(await countSeatsUsed(t.db, org.id, now)).toBe(3)
    expect((await listMembers(t.db, { orgId: org.id, actorId: owner.id, now }))?.seatsUsed).toBe(3)
    const past = encodeCursor(new Date(0), '00000000-0000-0000-0000-000000000000')
    expect((await listMembers(t.db, { orgId: org.id, actorId: owner.id, cursor: past, now }))?.seatsUsed).toBe(3)
  })

  it('ignores a malformed cursor', async () => {
    const { owner, org } = await orgWithMember([])
    const page = await listMembers(t.db, { orgId: org.id, actorId: owner.id, cursor: '!!not-a-cursor' })
    expect(page?.items).toHaveLength(2)
  })
})

describe('createProject', () => {
  it('lets a holder of projects:create create one and become its admin', async () => {
    const { member, org } = await orgWithMember(['projects:create'])
    const result = await createProject(t.db, { orgId: org.id, actorId: member.id, name: 'Apollo' })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const [access] = await t.db.select().from(projectMembers).where(eq(projectMembers.projectId, result.project.id))
    expect(access).toMatchObject({ userId: member.id, level: 'admin', organizationId: org.id })
    const visible = await listVisibleProjects(t.db, { orgId: org.id, userId: member.id })
    expect(visible.map((p) => p.name)).toEqual(['Apollo'])
  })

  it('refuses a member without projects:create and a stranger, writing nothing', async () => {
    const { member, org } = await orgWithMember(['members:read'])
    const stranger = await createUser(t.db)
    const before = (await t.db.select({ n: count() }).from(projects))[0].n
    const auditBefore = (await t.db.select({ n: count() }).from(auditEvents))[0].n
    for (const actorId of [member.id, stranger.id]) {
      const result = await createProject(t.db, { orgId: org.id, actorId, name: 'Nope' })
      expect(result).toMatchObject({ ok: false, error: 'forbidden' })
    }
    expect((await t.db.select({ n: count() }).from(projects))[0].n).toBe(before)
    expect((await t.db.select({ n: count() }).from(auditEvents))[0].n).toBe(auditBefore)
  })
})

describe('project visibility', () => {
  it('shows a member only the projects granted, and everything to owners and projects:manage_all', async () => {
    const { owner, member, org } = await orgWithMember([])
    const a = await createProject(t.db, { orgId: org.id, actorId: owner.id, name: 'A' })
    await createProject(t.db, { orgId: org.id, actorId: owner.id, name: 'B' })
    expect(await listVisibleProjects(t.db, { orgId: org.id, userId: member.id })).toEqual([])
    if (!a.ok) throw new Error('setup')
    await t.db.insert(projectMembers).values({ projectId: a.project.id, organizationId: org.id, userId: member.id, level: 'view' })
    const mine = await listVisibleProjects(t.db, { orgId: org.id, userId: member.id })
    expect(mine).toEqual([{ id: a.project.id, name: 'A', level: 'view', can: { view: true, edit: false, manageAccess: false, rename: false, delete: false } }])
    await t.db.update(memberships).set({ permissions: ['projects:manage_all'] }).where(eq(memberships.userId, member.id))
    const all = await listVisibleProjects(t.db, { orgId: org.id, userId: member.id })
    expect(all.map((p) => p.name)).toEqual(['A', 'B'])
    expect(all.every((p) => p.level === 'admin' && p.can.delete)).toBe(true)
    expect((await listGrantableProjects(t.db, { orgId: org.id, actorId: owner.id })).map((p) => p.level)).toEqual(['admin', 'admin'])
  })

  it('never shows another organization’s projects', async () => {
    const { owner, org } = await orgWithMember([])
    const other = await orgWithMember([])
    await createProject(t.db, { orgId: other.org.id, actorId: other.owner.id, name: 'Foreign' })
    const list = await listVisibleProjects(t.db, { orgId: org.id, userId: owner.id })
    expect(list.map((p) => p.name)).not.toContain('Foreign')
    expect(await listGrantableProjects(t.db, { orgId: other.org.id, actorId: owner.id })).toEqual([])
  })
})

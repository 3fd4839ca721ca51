import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { notifications, users } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { listAuditEvents, recordAudit } from './audit'
import { acceptInvitation } from './invitations/accept-invitation'
import { createInvitations } from './invitations/create-invitations'
import { declineInvitation } from './invitations/decline-invitation'
import { removeMember } from './members/remove-member'
import { listNotifications, markNotificationsRead } from './notifications'
import { createProject } from './projects/create-project'
import { config, createWorld, uniqueEmail } from './invitations.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

type World = Awaited<ReturnType<typeof createWorld>>

async function inviteUser(w: World, actorId: string) {
  const invitee = await createUser(t.db, uniqueEmail('invitee'))
  const r = await createInvitations(t.db, { orgId: w.org.id, actorId, emails: [invitee.email], role: 'member', permissions: [], projectGrants: [] }, config)
  if (!r.ok || !r.results[0].invitationId) throw new Error('invite failed')
  return { invitee, invitationId: r.results[0].invitationId }
}

describe('listAuditEvents', () => {
  it('lists every event newest first with actor and target label, paginated and filterable by action', async () => {
    const w = await createWorld(t.db)
    const project = await createProject(t.db, { orgId: w.org.id, actorId: w.owner.id, name: 'Apollo' })
    if (!project.ok) throw new Error('setup')
    await removeMember(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: w.member.id })
    const all: { action: string; targetLabel: string | null }[] = []
    let cursor: string | null = null
    do {
      const page: Awaited<ReturnType<typeof listAuditEvents>> = await listAuditEvents(t.db, { orgId: w.org.id, actorId: w.admin.id, limit: 2, cursor })
      expect(page).not.toBeNull()
      all.push(...page!.items)
      cursor = page!.nextCursor
    } while (cursor)
    // The two project events share their transaction's timestamp, so their order among themselves is by id.
    expect(all.map((e) => e.action)).toHaveLength(4)
    expect(all[0].action).toBe('member.removed')
    expect(all[3].action).toBe('organization.created')
    expect(all.slice(1, 3).map((e) => e.action).sort()).toEqual(['project.access_granted', 'project.created'])
    expect(all.find((e) => e.action === 'member.removed')).toMatchObject({ targetLabel: w.member.email, actor: { email: w.owner.email } })
    expect(all.find((e) => e.action === 'project.created')?.targetLabel).toBe('Apollo')
    expect(all.find((e) => e.action === 'organization.created')?.targetLabel).toBe(w.org.name)

    const filtered = await listAuditEvents(t.db, { orgId: w.org.id, actorId: w.owner.id, action: 'project.created' })
    expect(filtered?.items.map((e) => e.action)).toEqual(['project.created'])
    expect(filtered?.actions).toEqual(['member.removed', 'organization.created', 'project.access_granted', 'project.created'])
  })

  it('labels a deleted user’s events from the event, and shows a system event without actor', async () => {
    const w = await createWorld(t.db)
    await recordAudit(t.db, { organizationId: w.org.id, actorId: null, action: 'invitation.expired', targetType: 'invitation', targetId: w.org.id, data: { email: 'x@example.com' } })
    const page = await listAuditEvents(t.db, { orgId: w.org.id, actorId: w.owner.id, action: 'invitation.expired' })
    expect(page?.items[0]).toMatchObject({ actor: null, targetLabel: 'x@example.com' })
  })

  it('is null for members, strangers and another organization’s owner; never shows another organization’s events', async () => {
    const w = await createWorld(t.db)
    const other = await createWorld(t.db)
    expect(await listAuditEvents(t.db, { orgId: w.org.id, actorId: w.inviter.id })).toBeNull()
    expect(await listAuditEvents(t.db, { orgId: w.org.id, actorId: (await createUser(t.db)).id })).toBeNull()
    expect(await listAuditEvents(t.db, { orgId: w.org.id, actorId: other.owner.id })).toBeNull()
    const mine = await listAuditEvents(t.db, { orgId: w.org.id, actorId: w.owner.id })
    expect(mine?.items.every((e) => e.targetId !== other.org.id)).toBe(true)
  })
})

describe('inviter notifications', () => {
  it('tells the inviter of an accept and a decline; the bell counts unread ones until opened', async () => {
    const w = await createWorld(t.db)
    const a = await inviteUser(w, w.inviter.id)
    const b = await inviteUser(w, w.inviter.id)
    expect(await acceptInvitation(t.db, { invitationId: a.invitationId, userId: a.invitee.id })).toMatchObject({ ok: true })
    expect(await declineInvitation(t.db, { invitationId: b.invitationId, userId: b.invitee.id })).toEqual({ ok: true })

    const list = await listNotifications(t.db, { userId: w.inviter.id })
    expect(list.unread).toBe(2)
    expect(list.items).toEqual([
      expect.objectContaining({ kind: 'invitation.declined', email: b.invitee.email, orgName: 'Acme', orgSlug: w.org.slug, isRead: false }),
      expect.objectContaining({ kind: 'invitation.accepted', email: a.invitee.email, isRead: false }),
    ])
    expect((await listNotifications(t.db, { userId: w.owner.id })).items).toEqual([])

    expect(await markNotificationsRead(t.db, { userId: w.inviter.id })).toEqual({ updated: 2 })
    expect(await markNotificationsRead(t.db, { userId: w.inviter.id })).toEqual({ updated: 0 })
    const after = await listNotifications(t.db, { userId: w.inviter.id })
    expect(after.unread).toBe(0)
    expect(after.items.every((n) => n.isRead)).toBe(true)
  })

  it('writes nothing when the accept is refused, and nothing for an inviter whose account is gone', async () => {
    const w = await createWorld(t.db)
    const a = await inviteUser(w, w.inviter.id)
    const wrongUser = await createUser(t.db)
    expect(await acceptInvitation(t.db, { invitationId: a.invitationId, userId: wrongUser.id })).toMatchObject({ ok: false })
    expect(await t.db.select().from(notifications).where(eq(notifications.userId, w.inviter.id))).toEqual([])

    const gone = await createUser(t.db, uniqueEmail('gone'))
    const { memberships } = await import('@/db/schema')
    await t.db.insert(memberships).values({ organizationId: w.org.id, userId: gone.id, role: 'admin', permissions: [] })
    const b = await inviteUser(w, gone.id)
    await t.db.delete(users).where(eq(users.id, gone.id))
    expect(await declineInvitation(t.db, { invitationId: b.invitationId, userId: b.invitee.id })).toEqual({ ok: true })
    expect(await t.db.select().from(notifications).where(eq(notifications.organizationId, w.org.id))).toEqual([])
  })
})

// Issue 15, item 6: removal follows the same ceiling as editing (DESIGN.md section 3, rule 4),
// enforced by removeMember and shown per row by listMembers, both from memberCapabilities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDb, type TestDb } from '@/test/db'
import { listMembers } from './members/list-members'
import { removeMember } from './members/remove-member'
import { addMember, createWorld, membershipOf } from './invitations.test-support'
import { snapshot } from './members.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

async function world() {
  const w = await createWorld(t.db)
  const remover = await addMember(t.db, w.org.id, 'member', ['members:read', 'members:remove'])
  // Holds a permission the remover lacks.
  const stronger = await addMember(t.db, w.org.id, 'member', ['members:read', 'members:invite'])
  const weaker = await addMember(t.db, w.org.id, 'member', ['members:read'])
  return { ...w, remover, stronger, weaker }
}

describe('removeMember: the ceiling', () => {
  it('refuses a holder of Remove members removing an admin, and changes nothing', async () => {
    const w = await world()
    const before = await snapshot(t.db)
    const r = await removeMember(t.db, { orgId: w.org.id, actorId: w.remover.id, userId: w.admin.id })
    expect(r).toEqual({ ok: false, error: 'outranks', message: 'Only an admin or an owner can remove an admin.' })
    expect(await snapshot(t.db)).toEqual(before)
    expect(await membershipOf(t.db, w.org.id, w.admin.id)).toEqual({ role: 'admin', permissions: [] })
  })

  it('refuses removing a member holding a permission the remover lacks, and changes nothing', async () => {
    const w = await world()
    const before = await snapshot(t.db)
    const r = await removeMember(t.db, { orgId: w.org.id, actorId: w.remover.id, userId: w.stronger.id })
    expect(r).toEqual({ ok: false, error: 'outranks', message: 'You cannot remove a member who holds permissions you do not hold yourself.' })
    expect(await snapshot(t.db)).toEqual(before)
  })

  it('still lets the remover remove a member within its own rights, and an admin remove an admin', async () => {
    const w = await world()
    expect(await removeMember(t.db, { orgId: w.org.id, actorId: w.remover.id, userId: w.weaker.id })).toEqual({ ok: true })
    const admin2 = await addMember(t.db, w.org.id, 'admin')
    expect(await removeMember(t.db, { orgId: w.org.id, actorId: w.admin.id, userId: admin2.id })).toEqual({ ok: true })
  })
})

describe('listMembers: the per-row verdict', () => {
  it('says which rows the caller may edit, remove or make owner', async () => {
    const w = await world()
    const page = await listMembers(t.db, { orgId: w.org.id, actorId: w.remover.id })
    const can = new Map(page!.items.map((m) => [m.userId, m.can]))
    const none = { edit: false, remove: false, makeOwner: false }
    expect(can.get(w.owner.id)).toEqual(none)
    expect(can.get(w.admin.id)).toEqual(none)
    expect(can.get(w.stronger.id)).toEqual(none)
    expect(can.get(w.remover.id)).toEqual(none)
    expect(can.get(w.weaker.id)).toEqual({ edit: false, remove: true, makeOwner: false })
    expect(can.get(w.member.id)).toEqual({ edit: false, remove: true, makeOwner: false })

    const asOwner = new Map((await listMembers(t.db, { orgId: w.org.id, actorId: w.owner.id }))!.items.map((m) => [m.userId, m.can]))
    expect(asOwner.get(w.admin.id)).toEqual({ edit: true, remove: true, makeOwner: true })
    expect(asOwner.get(w.owner.id)).toEqual(none)
    const asAdmin = new Map((await listMembers(t.db, { orgId: w.org.id, actorId: w.admin.id }))!.items.map((m) => [m.userId, m.can]))
    expect(asAdmin.get(w.owner.id)).toEqual(none)
    expect(asAdmin.get(w.stronger.id)).toEqual({ edit: true, remove: true, makeOwner: false })
  })
})

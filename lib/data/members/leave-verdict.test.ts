import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { leaveOrganization } from './leave-organization'
import { makeOwner } from './make-owner'
import { addMember } from '../invitations.test-support'
import { createOrganization, getOrgForMember } from '../organizations'

// Issue 14: the last owner is shown "Leave organization" disabled with the reason the server gives.

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

describe('the leave verdict on the organization page and in leaveOrganization', () => {
  it('refuses the last owner with the same reason in both, and allows everyone else', async () => {
    const owner = await createUser(t.db)
    const org = await createOrganization(t.db, { name: 'Leavers', userId: owner.id })
    const admin = await addMember(t.db, org.id, 'admin')
    const member = await addMember(t.db, org.id, 'member')
    const verdictOf = async (userId: string) => (await getOrgForMember(t.db, { slug: org.slug, userId }))?.leave

    const shown = await verdictOf(owner.id)
    expect(shown).toEqual({ ok: false, reason: 'You are the last owner. Make someone else owner before you leave.' })
    const refused = await leaveOrganization(t.db, { orgId: org.id, userId: owner.id })
    expect(refused).toEqual({ ok: false, error: 'last_owner', message: shown && !shown.ok ? shown.reason : null })
    expect(await verdictOf(admin.id)).toEqual({ ok: true })

    await makeOwner(t.db, { orgId: org.id, actorId: owner.id, userId: admin.id })
    expect(await verdictOf(owner.id)).toEqual({ ok: true })
    expect(await verdictOf(admin.id)).toEqual({ ok: true })
    expect(await verdictOf(member.id)).toEqual({ ok: true })
    expect(await leaveOrganization(t.db, { orgId: org.id, userId: owner.id })).toEqual({ ok: true })
    expect(await verdictOf(admin.id)).toMatchObject({ ok: false })
  })
})

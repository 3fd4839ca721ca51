import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { emailOutbox } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createInvitations } from './create-invitations'
import { listPendingInvitations } from './list-pending-invitations'
import { config, createWorld, uniqueEmail } from '../invitations.test-support'

// Issue 14: the Members tab's Invitations section filters by state (`?state=`) on the server.

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

const DAY = 24 * 60 * 60_000

describe('listPendingInvitations by state', () => {
  it('pending, expired and delivery failed each list only their own, and all lists them all; pages keep the filter', async () => {
    const w = await createWorld(t.db)
    async function invite(now = new Date()) {
      const r = await createInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail()], role: 'member', permissions: [], projectGrants: [] }, { ...config, now })
      if (!r.ok) throw new Error('invite refused')
      return { id: r.results[0].invitationId!, emailId: r.emailIds[0] }
    }
    const pending = [await invite(new Date(Date.now() - 3000)), await invite(new Date(Date.now() - 2000))]
    const expired = await invite(new Date(Date.now() - 8 * DAY))
    const failed = await invite(new Date(Date.now() - 1000))
    await t.db.update(emailOutbox).set({ status: 'failed', lastError: 'bounced' }).where(eq(emailOutbox.id, failed.emailId))
    const list = async (state?: 'pending' | 'expired' | 'delivery_failed', limit = 25, cursor?: string | null) =>
      listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, state, limit, cursor })

    expect((await list())?.items.map((i) => i.id).sort()).toEqual([...pending.map((p) => p.id), expired.id, failed.id].sort())
    expect((await list('pending'))?.items.map((i) => [i.id, i.state])).toEqual([
      [pending[1].id, 'pending'],
      [pending[0].id, 'pending'],
    ])
    expect((await list('expired'))?.items.map((i) => [i.id, i.state])).toEqual([[expired.id, 'expired']])
    expect((await list('delivery_failed'))?.items.map((i) => [i.id, i.state])).toEqual([[failed.id, 'delivery_failed']])

    const first = await list('pending', 1)
    expect(first?.items.map((i) => i.id)).toEqual([pending[1].id])
    const second = await list('pending', 1, first?.nextCursor)
    expect(second?.items.map((i) => i.id)).toEqual([pending[0].id])
    expect(second?.nextCursor).toBeNull()
  })

  it('still refuses a caller without members:read, whatever the filter', async () => {
    const w = await createWorld(t.db)
    expect(await listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.member.id, state: 'expired' })).toBeNull()
  })
})

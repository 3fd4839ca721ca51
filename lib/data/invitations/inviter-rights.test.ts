import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { memberships, sessions } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { acceptInvitation } from './accept-invitation'
import { createInvitations } from './create-invitations'
import { getInvitationByToken } from './get-invitation-by-token'
import { listOpenInvitationsForUser } from './list-open-invitations'
import { listPendingInvitations } from './list-pending-invitations'
import { addMember, addProject, config, createWorld, setProjectLevel, tokenOfEmail, uniqueEmail } from '../invitations.test-support'
import { hashSessionToken } from '../session-token'
import { getViewer } from '../viewer'

// Issue 14: an invitation whose inviter lost the right to grant it is shown as no longer valid to
// the invitee (Dashboard and bell, link page) and flagged to admins, by the same rule accept enforces.

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

type World = Awaited<ReturnType<typeof createWorld>>

/** The page header's read (the bell) for this user, through a session as a page makes it. */
async function headerOf(userId: string) {
  const token = randomBytes(32).toString('base64url')
  // The table holds the cookie's hash since issue 15; a raw token matched no session, so the bell read nothing.
  await t.db.insert(sessions).values({ sessionToken: hashSessionToken(token), userId, expires: new Date(Date.now() + 60 * 60_000) })
  return getViewer(t.db, { token })
}

async function inviteAs(w: World, inviterId: string, offer: { permissions?: string[]; projectGrants?: { projectId: string; level: 'view' | 'edit' | 'admin' }[] } = {}) {
  const invitee = await createUser(t.db, uniqueEmail('invitee'))
  const r = await createInvitations(
    t.db,
    { orgId: w.org.id, actorId: inviterId, emails: [invitee.email], role: 'member', permissions: offer.permissions ?? [], projectGrants: offer.projectGrants ?? [] },
    config,
  )
  if (!r.ok || r.results[0].outcome !== 'invited') throw new Error('invite refused')
  return { invitee, id: r.results[0].invitationId!, token: await tokenOfEmail(t.db, r.emailIds[0]) }
}

/** What each read says about the invitation, and whether accepting it works. */
async function verdicts(w: World, inv: Awaited<ReturnType<typeof inviteAs>>) {
  const open = await listOpenInvitationsForUser(t.db, { userId: inv.invitee.id })
  const header = await headerOf(inv.invitee.id)
  const list = await listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.owner.id, limit: 100 })
  return {
    dashboard: open.items.find((i) => i.id === inv.id)?.inviterCanGrant,
    bell: header?.open.items.find((i) => i.id === inv.id)?.inviterCanGrant,
    link: (await getInvitationByToken(t.db, inv.token))?.inviterCanGrant,
    membersTab: list?.items.find((i) => i.id === inv.id)?.state,
  }
}

const INVALID = { dashboard: false, bell: false, link: false, membersTab: 'inviter_cannot_grant' }
const VALID = { dashboard: true, bell: true, link: true, membersTab: 'pending' }

async function expectInvalidEverywhere(w: World, inv: Awaited<ReturnType<typeof inviteAs>>) {
  expect(await verdicts(w, inv)).toEqual(INVALID)
  expect(await acceptInvitation(t.db, { invitationId: inv.id, userId: inv.invitee.id })).toMatchObject({ ok: false, error: 'not_allowed' })
}

describe('the inviter’s rights, as every read and the accept see them', () => {
  it('valid while the inviter holds what was offered, and then it can be accepted', async () => {
    const w = await createWorld(t.db)
    const inv = await inviteAs(w, w.inviter.id, { permissions: ['members:read'] })
    expect(await verdicts(w, inv)).toEqual(VALID)
    expect(await acceptInvitation(t.db, { invitationId: inv.id, userId: inv.invitee.id })).toMatchObject({ ok: true })
  })

  it('no longer valid when the inviter lost members:invite', async () => {
    const w = await createWorld(t.db)
    const inv = await inviteAs(w, w.inviter.id)
    await t.db.update(memberships).set({ permissions: ['members:read'] }).where(eq(memberships.userId, w.inviter.id))
    await expectInvalidEverywhere(w, inv)
  })

  it('no longer valid when the inviter lost a permission offered', async () => {
    const w = await createWorld(t.db)
    const inviter = await addMember(t.db, w.org.id, 'member', ['members:invite', 'projects:create'])
    const inv = await inviteAs(w, inviter.id, { permissions: ['projects:create'] })
    await t.db.update(memberships).set({ permissions: ['members:invite'] }).where(eq(memberships.userId, inviter.id))
    await expectInvalidEverywhere(w, inv)
  })

  it('no longer valid when the inviter left the organization', async () => {
    const w = await createWorld(t.db)
    const inv = await inviteAs(w, w.inviter.id)
    await t.db.delete(memberships).where(and(eq(memberships.userId, w.inviter.id), eq(memberships.organizationId, w.org.id)))
    await expectInvalidEverywhere(w, inv)
  })

  it('no longer valid when the inviter’s own level on an offered project dropped', async () => {
    const w = await createWorld(t.db)
    const project = await addProject(t.db, w.org.id)
    await setProjectLevel(t.db, w.org.id, project.id, w.inviter.id, 'admin')
    const inv = await inviteAs(w, w.inviter.id, { projectGrants: [{ projectId: project.id, level: 'admin' }] })
    expect(await verdicts(w, inv)).toEqual(VALID)
    await setProjectLevel(t.db, w.org.id, project.id, w.inviter.id, 'edit')
    await expectInvalidEverywhere(w, inv)
  })
})

// Issue 5, item 5: every data function that reads or writes organization data, for every kind of
// caller, called directly: no middleware, no page, no action wrapper check in between, so what is
// proved here is the data layer alone. A signed-out request has no user id, so it is refused by
// the action wrapper (runAction with getUser → null) before any data function runs; that is shown
// with each action's own schema and form. Every refusal must write nothing (checksum of every
// table before and after) and reveal nothing of the organization (no name, slug, email, id).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryCounter } from '@/db/client'
import { runAction } from '@/lib/actions/run-action'
import {
  acceptInvitation,
  createInvitations,
  declineInvitation,
  listOpenInvitationsForUser,
  listPendingInvitations,
  resendInvitation,
  revokeInvitation,
} from '@/lib/data/invitations'
import { listMembers } from '@/lib/data/members'
import { createOrganization, getOrgForMember } from '@/lib/data/organizations'
import { createProject, listGrantableProjects, listVisibleProjects } from '@/lib/data/projects'
import type { OrgPermission } from '@/lib/permissions'
import { invitationIdSchema, inviteSchema, respondSchema } from '@/lib/validations/invitation'
import { createOrganizationSchema } from '@/lib/validations/organization'
import { createProjectSchema } from '@/lib/validations/project'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { addProject } from '@/lib/data/invitations.test-support'
import * as auditData from '@/lib/data/audit'
import * as membersData from '@/lib/data/members'
import * as organizationsData from '@/lib/data/organizations'
import * as projectsData from '@/lib/data/projects'
import {
  ago,
  CALLER_KINDS,
  callerId,
  config,
  addMemberTo,
  createSecurityWorld,
  form,
  leakedSecrets,
  NOBODY,
  secretsOf,
  snapshot,
  uniqueEmail,
  type CallerKind,
  type SecurityWorld,
} from './fixtures'

// Functions other work is adding; looked up at run time so that this file runs before and after they land.
const members: Record<string, (...args: any[]) => Promise<unknown>> = { ...auditData, ...membersData, ...organizationsData, ...projectsData } as never

let t: TestDb
let w: SecurityWorld
beforeAll(async () => {
  t = await createTestDb()
  w = await createSecurityWorld(t.db)
})
afterAll(async () => t.cleanup())

/** A fresh pending invitation of organization A, sent long enough ago that a resend is past its cooldown. */
async function freshInvitation(email = uniqueEmail('target')) {
  const r = await createInvitations(
    t.db,
    { orgId: w.org.id, actorId: w.owner.id, emails: [email], role: 'member', permissions: [], projectGrants: [] },
    { ...config, now: ago(10 * 60_000) },
  )
  if (!r.ok || r.results[0].outcome !== 'invited') throw new Error('could not invite')
  return { id: r.results[0].invitationId!, email }
}

interface Row {
  name: string
  /** The organization permission that allows it; null: any member. */
  permission: OrgPermission | null
  writes: boolean
  /** Sets up the target (once per caller) and calls the data function as `actorId`; returns the ids it sent and the result. */
  call: (actorId: string) => Promise<{ sent: string[]; result: unknown }>
  allowed: (result: unknown) => boolean
  /** What a refused caller may still see: its own project access. */
  mayShow?: (kind: CallerKind) => string[]
}

type Res = { ok: boolean }
const okResult = (r: unknown) => (r as Res).ok === true

const rows: Row[] = [
  {
    name: 'getOrgForMember',
    permission: null,
    writes: false,
    call: async (actorId) => ({ sent: [w.org.slug], result: await getOrgForMember(t.db, { slug: w.org.slug, userId: actorId }) }),
    allowed: (r) => r !== null,
  },
  {
    name: 'listMembers',
    permission: 'members:read',
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id], result: await listMembers(t.db, { orgId: w.org.id, actorId }) }),
    allowed: (r) => r !== null,
  },
  {
    name: 'listPendingInvitations',
    permission: 'members:read',
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id], result: await listPendingInvitations(t.db, { orgId: w.org.id, actorId }) }),
    allowed: (r) => r !== null,
  },
  {
    // Everything at admin for owners and holders of projects:manage_all; otherwise the caller's own projects.
    name: 'listGrantableProjects (sees the hidden project)',
    permission: 'projects:manage_all',
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id], result: await listGrantableProjects(t.db, { orgId: w.org.id, actorId }) }),
    allowed: (r) => (r as { id: string }[]).some((p) => p.id === w.projects.hidden.id),
    mayShow: (kind) => (kind === 'memberWithout' ? [w.projects.shared.id, w.projects.shared.name] : []),
  },
  {
    // As the Projects page composes it: the membership read by getOrgForMember, then the list.
    name: 'getOrgForMember → listVisibleProjects (sees the hidden project)',
    permission: 'projects:manage_all',
    writes: false,
    call: async (actorId) => {
      const ctx = await getOrgForMember(t.db, { slug: w.org.slug, userId: actorId })
      const result = ctx
        ? await listVisibleProjects(t.db, { orgId: ctx.org.id, userId: actorId })
        : null
      return { sent: [w.org.slug], result }
    },
    allowed: (r) => Array.isArray(r) && r.some((p: { id: string }) => p.id === w.projects.hidden.id),
    mayShow: (kind) => (kind === 'memberWithout' ? [w.projects.shared.id, w.projects.shared.name] : []),
  },
  {
    name: 'createProject',
    permission: 'projects:create',
    writes: true,
    call: async (actorId) => ({ sent: [w.org.id], result: await createProject(t.db, { orgId: w.org.id, actorId, name: 'Matrix project' }) }),
    allowed: okResult,
  },
  {
    name: 'createInvitations',
    permission: 'members:invite',
    writes: true,
    call: async (actorId) => {
      const email = uniqueEmail('matrix')
      return {
        sent: [w.org.id, email],
        result: await createInvitations(t.db, { orgId: w.org.id, actorId, emails: [email], role: 'member', permissions: [], projectGrants: [] }, config),
      }
    },
    allowed: (r) => okResult(r) && (r as { results: { outcome: string }[] }).results[0].outcome === 'invited',
  },
  {
    name: 'resendInvitation',
    permission: 'members:invite',
    writes: true,
    call: async (actorId) => {
      const inv = await freshInvitation()
      return { sent: [w.org.id, inv.id], result: await resendInvitation(t.db, { orgId: w.org.id, actorId, invitationId: inv.id }, config) }
    },
    allowed: okResult,
  },
  {
    name: 'revokeInvitation',
    permission: 'members:invite',
    writes: true,
    call: async (actorId) => {
      const inv = await freshInvitation()
      return { sent: [w.org.id, inv.id], result: await revokeInvitation(t.db, { orgId: w.org.id, actorId, invitationId: inv.id }) }
    },
    allowed: okResult,
  },
]

/** Who may: owners and admins always; a member holding the permission; any member when none is needed. */
function expectedAllowed(row: Pick<Row, 'permission'>, kind: CallerKind): boolean {
  switch (kind) {
    case 'owner':
    case 'admin':
    case 'memberWith':
      return true
    case 'memberWithout':
      return row.permission === null
    default:
      return false
  }
}

let secrets: string[] = []
beforeAll(async () => {
  secrets = await secretsOf(t.db, w)
})

describe('authorization matrix: the data layer alone', () => {
  for (const row of rows) {
    describe(row.name, () => {
      for (const kind of CALLER_KINDS.filter((k) => k !== 'signedOut')) {
        const expected = expectedAllowed(row, kind)
        it(`${kind}: ${expected ? 'allowed' : 'refused, writes nothing, reveals nothing'}`, async () => {
          const actorId = (await callerId(t.db, w, kind, row.permission))!
          const before = await snapshot(t.db)
          const { sent, result } = await row.call(actorId)
          expect(row.allowed(result), JSON.stringify(result)).toBe(expected)
          if (expected) {
            if (row.writes) expect(await snapshot(t.db)).not.toEqual(before)
            return
          }
          // Set-up (a fresh invitation) happened inside call(); compare only what the call itself could write.
          if (!row.writes) expect(await snapshot(t.db)).toEqual(before)
          expect(leakedSecrets(result, secrets.concat(await secretsOf(t.db, w)), [...sent, actorId, ...(row.mayShow?.(kind) ?? [])])).toEqual([])
        })
      }
      it('a user id that exists nowhere (no session, or a forged one): refused', async () => {
        const { sent, result } = await row.call(NOBODY)
        expect(row.allowed(result)).toBe(false)
        expect(leakedSecrets(result, secrets, sent)).toEqual([])
      })
    })
  }

  // Functions added with member management, seat limits and project settings: who may, by the
  // rule each one's doc comment states. Each caller acts on a target made for it.
  describe('member management, seats, audit and project settings', () => {
    const ownerOnly = (k: CallerKind) => k === 'owner'
    const ownerOrAdmin = (k: CallerKind) => k === 'owner' || k === 'admin'
    const projectAdmin = (k: CallerKind) => k === 'owner' || k === 'admin' || k === 'memberWith'
    const freshMember = () => addMemberTo(t.db, w.org.id, 'member', [], 'target')
    const freshProject = () => addProject(t.db, w.org.id, `Secret target ${Math.random().toString(36).slice(2, 8)}`)
    const newRows: { name: string; permission: OrgPermission | null; policy: (k: CallerKind) => boolean; call: (actorId: string) => Promise<{ sent: string[]; result: unknown }>; allowed: (r: unknown) => boolean }[] = [
      { name: 'listAuditEvents', permission: 'members:read', policy: ownerOrAdmin, call: async (actorId) => ({ sent: [w.org.id], result: await members.listAuditEvents(t.db, { orgId: w.org.id, actorId }) }), allowed: (r) => r !== null },
      {
        name: 'updateMemberAccess',
        permission: 'members:manage_permissions',
        policy: (k) => expectedAllowed({ permission: 'members:manage_permissions' }, k),
        call: async (actorId) => {
          const target = await freshMember()
          return { sent: [w.org.id, target.id], result: await members.updateMemberAccess(t.db, { orgId: w.org.id, actorId, userId: target.id, role: 'member', permissions: [] }) }
        },
        allowed: okResult,
      },
      {
        name: 'removeMember',
        permission: 'members:remove',
        policy: (k) => expectedAllowed({ permission: 'members:remove' }, k),
        call: async (actorId) => {
          const target = await freshMember()
          return { sent: [w.org.id, target.id], result: await members.removeMember(t.db, { orgId: w.org.id, actorId, userId: target.id }) }
        },
        allowed: okResult,
      },
      {
        name: 'makeOwner',
        permission: 'members:manage_permissions',
        policy: ownerOnly,
        call: async (actorId) => {
          const target = await freshMember()
          return { sent: [w.org.id, target.id], result: await members.makeOwner(t.db, { orgId: w.org.id, actorId, userId: target.id }) }
        },
        allowed: okResult,
      },
      { name: 'setSeatLimit', permission: 'members:manage_permissions', policy: ownerOnly, call: async (actorId) => ({ sent: [w.org.id], result: await members.setSeatLimit(t.db, { orgId: w.org.id, actorId, seatLimit: null }) }), allowed: okResult },
      {
        name: 'getProject (hidden project)',
        permission: 'projects:manage_all',
        policy: projectAdmin,
        call: async (actorId) => ({ sent: [w.org.id, w.projects.hidden.id], result: await members.getProject(t.db, { orgId: w.org.id, actorId, projectId: w.projects.hidden.id }) }),
        allowed: (r) => r !== null,
      },
      {
        name: 'listProjectMembers (hidden project)',
        permission: 'projects:manage_all',
        policy: projectAdmin,
        call: async (actorId) => ({ sent: [w.org.id, w.projects.hidden.id], result: await members.listProjectMembers(t.db, { orgId: w.org.id, actorId, projectId: w.projects.hidden.id }) }),
        allowed: (r) => r !== null,
      },
      {
        name: 'setProjectAccess',
        permission: 'projects:manage_all',
        policy: projectAdmin,
        call: async (actorId) => {
          const [project, target] = [await freshProject(), await freshMember()]
          return { sent: [w.org.id, project.id, target.id], result: await members.setProjectAccess(t.db, { orgId: w.org.id, actorId, projectId: project.id, userId: target.id, level: 'view' }) }
        },
        allowed: okResult,
      },
      {
        name: 'renameProject',
        permission: 'projects:manage_all',
        policy: projectAdmin,
        call: async (actorId) => {
          const project = await freshProject()
          return { sent: [w.org.id, project.id], result: await members.renameProject(t.db, { orgId: w.org.id, actorId, projectId: project.id, name: 'Renamed' }) }
        },
        allowed: okResult,
      },
      {
        name: 'deleteProject',
        permission: 'projects:manage_all',
        policy: projectAdmin,
        call: async (actorId) => {
          const project = await freshProject()
          return { sent: [w.org.id, project.id], result: await members.deleteProject(t.db, { orgId: w.org.id, actorId, projectId: project.id }) }
        },
        allowed: okResult,
      },
    ]
    for (const row of newRows) {
      const exists = row.name.split(' ')[0] in members
      for (const kind of CALLER_KINDS.filter((k) => k !== 'signedOut')) {
        it.skipIf(!exists)(`${row.name} × ${kind}: ${row.policy(kind) ? 'allowed' : 'refused, reveals nothing'}`, async () => {
          const actorId = (await callerId(t.db, w, kind, row.permission))!
          const { sent, result } = await row.call(actorId)
          expect(row.allowed(result), JSON.stringify(result)).toBe(row.policy(kind))
          if (!row.policy(kind)) expect(leakedSecrets(result, await secretsOf(t.db, w), [...sent, actorId])).toEqual([])
        })
      }
    }
  })

  // The write rows above set up their target inside call(); here the target exists first, so a
  // refusal must leave every table exactly as it was.
  describe('a refused write changes no table at all', () => {
    const writers: { name: string; permission: OrgPermission; run: (actorId: string, target: { id: string }) => Promise<unknown> }[] = [
      { name: 'createProject', permission: 'projects:create', run: (actorId) => createProject(t.db, { orgId: w.org.id, actorId, name: 'Nope' }) },
      {
        name: 'createInvitations',
        permission: 'members:invite',
        run: (actorId) => createInvitations(t.db, { orgId: w.org.id, actorId, emails: [uniqueEmail('nope')], role: 'member', permissions: [], projectGrants: [] }, config),
      },
      { name: 'resendInvitation', permission: 'members:invite', run: (actorId, target) => resendInvitation(t.db, { orgId: w.org.id, actorId, invitationId: target.id }, config) },
      { name: 'revokeInvitation', permission: 'members:invite', run: (actorId, target) => revokeInvitation(t.db, { orgId: w.org.id, actorId, invitationId: target.id }) },
    ]
    for (const writer of writers) {
      it(`${writer.name}: stranger, member without ${writer.permission}, member of another organization`, async () => {
        const target = await freshInvitation()
        for (const kind of ['stranger', 'memberWithout', 'otherOrg'] as const) {
          const actorId = (await callerId(t.db, w, kind, writer.permission))!
          const before = await snapshot(t.db)
          const result = await writer.run(actorId, target)
          expect(result, kind).toMatchObject({ ok: false })
          expect(await snapshot(t.db), kind).toEqual(before)
        }
      })
    }
  })

  describe('a member of another organization using this organization’s ids through its own', () => {
    it('cannot resend, revoke or grant access to organization A’s invitations and projects', async () => {
      const target = await freshInvitation()
      const b = w.other
      const before = await snapshot(t.db)
      const resent = await resendInvitation(t.db, { orgId: b.org.id, actorId: b.owner.id, invitationId: target.id }, config)
      const revoked = await revokeInvitation(t.db, { orgId: b.org.id, actorId: b.owner.id, invitationId: target.id })
      const granted = await createInvitations(
        t.db,
        { orgId: b.org.id, actorId: b.owner.id, emails: [uniqueEmail('x')], role: 'member', permissions: [], projectGrants: [{ projectId: w.projects.hidden.id, level: 'admin' }] },
        config,
      )
      expect(resent).toEqual({ ok: false, error: 'not_found', message: 'This invitation was not found.' })
      expect(revoked).toEqual({ ok: false, error: 'not_found', message: 'This invitation was not found.' })
      expect(granted).toEqual({ ok: false, error: 'not_found', message: 'One of the projects was not found.' })
      expect(await snapshot(t.db)).toEqual(before)
    })

    it('cannot list organization A’s members or invitations by passing A’s id', async () => {
      expect(await listMembers(t.db, { orgId: w.org.id, actorId: w.other.owner.id })).toBeNull()
      expect(await listPendingInvitations(t.db, { orgId: w.org.id, actorId: w.other.owner.id })).toBeNull()
      expect(await listGrantableProjects(t.db, { orgId: w.org.id, actorId: w.other.owner.id })).toEqual([])
    })
  })

  describe('createOrganization is per user', () => {
    it('any signed-in user may create one and becomes only its owner; organization A is untouched', async () => {
      const aRowsBefore = await secretsOf(t.db, w)
      for (const kind of ['stranger', 'memberWithout', 'otherOrg'] as const) {
        const actorId = (await callerId(t.db, w, kind, null))!
        const org = await createOrganization(t.db, { name: `Mine ${kind}`, userId: actorId })
        expect(await getOrgForMember(t.db, { slug: org.slug, userId: actorId })).toMatchObject({ membership: { role: 'owner' } })
        expect(await getOrgForMember(t.db, { slug: org.slug, userId: w.owner.id })).toBeNull()
      }
      expect(await secretsOf(t.db, w)).toEqual(aRowsBefore)
    })
  })

  describe('the invitee’s side: only the invited address may answer', () => {
    for (const [name, answer] of [
      ['acceptInvitation', acceptInvitation],
      ['declineInvitation', declineInvitation],
    ] as const) {
      it(`${name}: every other caller gets the same not_found and nothing changes; the invitee may`, async () => {
        const invitee = await createUser(t.db, uniqueEmail('invitee'))
        const inv = await freshInvitation(invitee.email)
        for (const kind of CALLER_KINDS.filter((k) => k !== 'signedOut')) {
          const actorId = (await callerId(t.db, w, kind, 'members:invite'))!
          const before = await snapshot(t.db)
          const r = await answer(t.db, { invitationId: inv.id, userId: actorId })
          expect(r, kind).toEqual({ ok: false, error: 'not_found', message: 'This invitation was not found.' })
          expect(await snapshot(t.db), kind).toEqual(before)
        }
        expect(await answer(t.db, { invitationId: inv.id, userId: invitee.id })).toMatchObject({ ok: true })
      })
    }

    it('listOpenInvitationsForUser shows an invitation to its invitee only', async () => {
      const invitee = await createUser(t.db, uniqueEmail('bell'))
      const inv = await freshInvitation(invitee.email)
      for (const kind of CALLER_KINDS.filter((k) => k !== 'signedOut')) {
        const actorId = (await callerId(t.db, w, kind, 'members:invite'))!
        const r = await listOpenInvitationsForUser(t.db, { userId: actorId })
        expect(r.items.map((i) => i.id), kind).not.toContain(inv.id)
        expect(leakedSecrets(r, [inv.id, inv.email, w.org.name], []), kind).toEqual([])
      }
      expect((await listOpenInvitationsForUser(t.db, { userId: NOBODY })).total).toBe(0)
      expect((await listOpenInvitationsForUser(t.db, { userId: invitee.id })).items.map((i) => i.id)).toContain(inv.id)
    })
  })

  describe('listVisibleProjects authorizes on its own', () => {
    // It used to take the caller's role and permissions as arguments and trust them. Now it reads
    // the membership itself: extra claims (as a caller might still pass) change nothing.
    it('a non-member claiming to be owner sees no project of the organization', async () => {
      const params = { orgId: w.org.id, userId: w.stranger.id, role: 'owner' as const, permissions: [] }
      const result = await listVisibleProjects(t.db, params)
      expect(result.map((p) => p.name)).toEqual([])
    })
  })
})

describe('signed out: the action wrapper refuses before the data layer', () => {
  const P = '6f1c1d3e-8a7b-4c1d-9e2f-0a1b2c3d4e5f'
  const cases: [string, Parameters<typeof runAction>[0], () => FormData][] = [
    ['createOrganizationAction', createOrganizationSchema, () => form([['name', 'Acme']])],
    ['createProjectAction', createProjectSchema, () => form([['slug', w.org.slug], ['name', 'Apollo']])],
    ['inviteMembersAction', inviteSchema, () => form([['slug', w.org.slug], ['emails', 'a@example.com'], ['role', 'admin'], ['permissions[]', 'members:read']])],
    ['resendInvitationAction', invitationIdSchema, () => form([['slug', w.org.slug], ['invitationId', w.pending.id]])],
    ['revokeInvitationAction', invitationIdSchema, () => form([['slug', w.org.slug], ['invitationId', w.pending.id]])],
    ['acceptInvitationAction', respondSchema, () => form([['invitationId', w.pending.id]])],
    ['declineInvitationAction', respondSchema, () => form([['invitationId', P]])],
  ]
  for (const [name, schema, makeForm] of cases) {
    it(`${name}: "sign in again", no handler, no query, nothing revealed`, async () => {
      let ran = false
      const start = queryCounter.count
      const state = await runAction(schema, makeForm(), async () => null, async () => {
        ran = true
        throw new Error('the handler must not run')
      })
      expect(queryCounter.count).toBe(start)
      expect(ran).toBe(false)
      expect(state).toMatchObject({ status: 'error', message: 'You need to sign in again.' })
      // The echoed values are what the caller typed, nothing more.
      const sent = [...makeForm().values()].map(String)
      expect(leakedSecrets({ ...state, values: undefined }, secrets, sent)).toEqual([])
    })
  }
})

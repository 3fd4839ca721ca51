// Issue 5, item 5: every data function that reads or writes organization data, for every kind of
// caller, called directly: no middleware, no page, no action wrapper check in between, so what is
// proved here is the data layer alone. A signed-out request has no user id, so it is refused by
// the action wrapper (runAction with getUser → null) before any data function runs; that is shown
// with each action's own schema and form. Every refusal must write nothing (checksum of every
// table before and after) and reveal nothing of the organization (no name, slug, email, id).
// A second matrix then runs every action as app/**/actions.ts composes it (fixtures.ts actions()),
// wrapper included, for the same callers and the signed-out one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq, isNull } from 'drizzle-orm'
import { memberships, notifications, projectMembers } from '@/db/schema'
import { queryCounter } from '@/db/client'
import { runAction } from '@/lib/actions/run-action'
import type { ActionState } from '@/lib/actions/state'
import { listAuditEvents } from '@/lib/data/audit'
import { acceptInvitation } from '@/lib/data/invitations/accept-invitation'
import { createInvitations } from '@/lib/data/invitations/create-invitations'
import { declineInvitation } from '@/lib/data/invitations/decline-invitation'
import { getPreviousAccess } from '@/lib/data/invitations/get-previous-access'
import { listOpenInvitationsForUser } from '@/lib/data/invitations/list-open-invitations'
import { listPendingInvitations } from '@/lib/data/invitations/list-pending-invitations'
import { resendInvitation } from '@/lib/data/invitations/resend-invitation'
import { revokeInvitation } from '@/lib/data/invitations/revoke-invitation'
import { updateInvitation } from '@/lib/data/invitations/update-invitation'
import { getMemberForEdit } from '@/lib/data/members/get-member-for-edit'
import { leaveOrganization } from '@/lib/data/members/leave-organization'
import { listMembers } from '@/lib/data/members/list-members'
import { makeOwner } from '@/lib/data/members/make-owner'
import { removeMember } from '@/lib/data/members/remove-member'
import { updateMemberAccess } from '@/lib/data/members/update-member-access'
import { listNotifications, markNotificationsRead } from '@/lib/data/notifications'
import { createOrganization, getOrgForMember, listMyOrganizations, setSeatLimit } from '@/lib/data/organizations'
import { createProject } from '@/lib/data/projects/create-project'
import { deleteProject } from '@/lib/data/projects/delete-project'
import { getProject } from '@/lib/data/projects/get-project'
import { listGrantableProjects } from '@/lib/data/projects/list-grantable-projects'
import { listProjectMembers } from '@/lib/data/projects/list-project-members'
import { listVisibleProjects } from '@/lib/data/projects/list-visible-projects'
import { renameProject } from '@/lib/data/projects/rename-project'
import { setProjectAccess } from '@/lib/data/projects/set-project-access'
import type { OrgPermission } from '@/lib/permissions'
import { invitationIdSchema, inviteSchema, respondSchema } from '@/lib/validations/invitation'
import { previousAccessSchema, updateInvitationSchema } from '@/lib/validations/invitation-edit'
import { leaveOrganizationSchema, memberAccessSchema, memberTargetSchema, seatLimitSchema } from '@/lib/validations/member'
import { createOrganizationSchema } from '@/lib/validations/organization'
import { createProjectSchema } from '@/lib/validations/project'
import { projectAccessSchema, projectRefSchema, renameProjectSchema } from '@/lib/validations/project-access'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { addProject, setProjectLevel } from '@/lib/data/invitations.test-support'
import {
  actions,
  addNotification,
  ago,
  CALLER_KINDS,
  callerId,
  config,
  addMemberTo,
  createNamedUser,
  createSecurityWorld,
  form,
  grantByEmailSchema,
  leakedSecrets,
  markReadSchema,
  NOBODY,
  secretsOf,
  snapshot,
  uid,
  uniqueEmail,
  userGetter,
  type CallerKind,
  type GetUser,
  type SecurityWorld,
} from './fixtures'

let t: TestDb
let w: SecurityWorld
beforeAll(async () => {
  t = await createTestDb()
  w = await createSecurityWorld(t.db)
})
afterAll(async () => t.cleanup())

/** A pending invitation of organization B, made by B's owner. */
async function ownInvitationOfB() {
  const r = await createInvitations(
    t.db,
    { orgId: w.other.org.id, actorId: w.other.owner.id, emails: [uniqueEmail('b-invitee')], role: 'member', permissions: [], projectGrants: [] },
    config,
  )
  if (!r.ok || r.results[0].outcome !== 'invited') throw new Error('could not invite in B')
  return { id: r.results[0].invitationId! }
}

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

async function freshMember(role: 'admin' | 'member' = 'member', permissions: string[] = []) {
  const { id, email } = await addMemberTo(t.db, w.org.id, role, permissions, 'target')
  return { id, email }
}

const freshProject = () => addProject(t.db, w.org.id, `Secret target project ${uid()}`)

/** A second owner of organization A, so that the one acting on it is never the last. */
async function freshOwner() {
  const { id, email } = await createNamedUser(t.db, 'co-owner', `Secret co-owner ${uid()}`)
  await t.db.insert(memberships).values({ organizationId: w.org.id, userId: id, role: 'owner', permissions: [] })
  return { id, email }
}

/** A member of organization A who was removed, so that the audit log holds their previous access. */
async function formerMember() {
  const user = await freshMember('member', ['members:read'])
  const removed = await removeMember(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: user.id })
  if (!removed.ok) throw new Error('could not remove')
  return user
}

/** The ids a row's target is made of, made before the snapshot so that a refusal must change nothing at all. */
type Target = Record<string, string>

interface Row {
  name: string
  /** The organization permission that allows it (what "member with" holds); null: any member. */
  permission: OrgPermission | null
  /** Who may, when it is not "owners, admins and members holding the permission". */
  policy?: (kind: CallerKind) => boolean
  writes: boolean
  /** Makes the target, once per caller, before the snapshot. */
  prepare?: () => Promise<Target>
  /** Calls the data function as `actorId`; returns the ids it sent and the result. */
  call: (actorId: string, target: Target) => Promise<{ sent: string[]; result: unknown }>
  allowed: (result: unknown) => boolean
  /** What a refused caller may still see: its own project access. */
  mayShow?: (kind: CallerKind) => string[]
}

const ownerOnly = (k: CallerKind) => k === 'owner'
const ownerOrAdmin = (k: CallerKind) => k === 'owner' || k === 'admin'
const nobody = () => false
/** Admin on every project: owners, admins, holders of projects:manage_all ("member with"). */
const seesAllProjects = (k: CallerKind) => k === 'owner' || k === 'admin' || k === 'memberWith'
const anyMember = (k: CallerKind) => k === 'owner' || k === 'admin' || k === 'memberWith' || k === 'memberWithout'

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
    prepare: freshInvitation,
    call: async (actorId, inv) => ({ sent: [w.org.id, inv.id], result: await resendInvitation(t.db, { orgId: w.org.id, actorId, invitationId: inv.id }, config) }),
    allowed: okResult,
  },
  {
    name: 'revokeInvitation',
    permission: 'members:invite',
    writes: true,
    prepare: freshInvitation,
    call: async (actorId, inv) => ({ sent: [w.org.id, inv.id], result: await revokeInvitation(t.db, { orgId: w.org.id, actorId, invitationId: inv.id }) }),
    allowed: okResult,
  },

  // Issue 4: editing invitations, member management, seats; the project and audit pages.
  {
    name: 'updateInvitation',
    permission: 'members:invite',
    writes: true,
    prepare: freshInvitation,
    call: async (actorId, inv) => ({
      sent: [w.org.id, inv.id],
      result: await updateInvitation(t.db, { orgId: w.org.id, actorId, invitationId: inv.id, role: 'member', permissions: ['members:invite'], projectGrants: [] }),
    }),
    allowed: okResult,
  },
  {
    // What the invite dialog offers a former member again.
    name: 'getPreviousAccess',
    permission: 'members:invite',
    writes: false,
    prepare: formerMember,
    call: async (actorId, former) => ({ sent: [w.org.id, former.email], result: await getPreviousAccess(t.db, { orgId: w.org.id, actorId, email: former.email }) }),
    allowed: (r) => r !== null,
  },
  {
    name: 'getMemberForEdit',
    permission: 'members:read',
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id, w.memberWithout.id], result: await getMemberForEdit(t.db, { orgId: w.org.id, actorId, userId: w.memberWithout.id }) }),
    allowed: (r) => r !== null,
  },
  {
    name: 'updateMemberAccess (a member)',
    permission: 'members:manage_permissions',
    writes: true,
    prepare: () => freshMember(),
    call: async (actorId, target) => ({
      sent: [w.org.id, target.id],
      result: await updateMemberAccess(t.db, { orgId: w.org.id, actorId, userId: target.id, role: 'member', permissions: ['members:manage_permissions'] }),
    }),
    allowed: okResult,
  },
  {
    // The admin role is given and taken only by admins and owners.
    name: 'updateMemberAccess (an admin, to member)',
    permission: 'members:manage_permissions',
    policy: ownerOrAdmin,
    writes: true,
    prepare: () => freshMember('admin'),
    call: async (actorId, target) => ({ sent: [w.org.id, target.id], result: await updateMemberAccess(t.db, { orgId: w.org.id, actorId, userId: target.id, role: 'member', permissions: [] }) }),
    allowed: okResult,
  },
  {
    name: 'updateMemberAccess (an owner, to admin)',
    permission: 'members:manage_permissions',
    policy: ownerOnly,
    writes: true,
    prepare: freshOwner,
    call: async (actorId, target) => ({ sent: [w.org.id, target.id], result: await updateMemberAccess(t.db, { orgId: w.org.id, actorId, userId: target.id, role: 'admin', permissions: [] }) }),
    allowed: okResult,
  },
  {
    name: 'updateMemberAccess (oneself)',
    permission: 'members:manage_permissions',
    policy: nobody,
    writes: true,
    call: async (actorId) => ({ sent: [w.org.id], result: await updateMemberAccess(t.db, { orgId: w.org.id, actorId, userId: actorId, role: 'admin', permissions: [] }) }),
    allowed: okResult,
  },
  {
    name: 'removeMember (a member)',
    permission: 'members:remove',
    writes: true,
    prepare: () => freshMember(),
    call: async (actorId, target) => ({ sent: [w.org.id, target.id], result: await removeMember(t.db, { orgId: w.org.id, actorId, userId: target.id }) }),
    allowed: okResult,
  },
  {
    name: 'removeMember (an owner)',
    permission: 'members:remove',
    policy: ownerOnly,
    writes: true,
    prepare: freshOwner,
    call: async (actorId, target) => ({ sent: [w.org.id, target.id], result: await removeMember(t.db, { orgId: w.org.id, actorId, userId: target.id }) }),
    allowed: okResult,
  },
  {
    name: 'removeMember (oneself)',
    permission: 'members:remove',
    policy: nobody,
    writes: true,
    call: async (actorId) => ({ sent: [w.org.id], result: await removeMember(t.db, { orgId: w.org.id, actorId, userId: actorId }) }),
    allowed: okResult,
  },
  {
    name: 'makeOwner',
    permission: 'members:manage_permissions',
    policy: ownerOnly,
    writes: true,
    prepare: () => freshMember(),
    call: async (actorId, target) => ({ sent: [w.org.id, target.id], result: await makeOwner(t.db, { orgId: w.org.id, actorId, userId: target.id }) }),
    allowed: okResult,
  },
  {
    // A new value each time, so that an allowed call always writes; far above the seats in use.
    name: 'setSeatLimit',
    permission: 'members:manage_permissions',
    policy: ownerOnly,
    writes: true,
    call: async (actorId) => ({ sent: [w.org.id], result: await setSeatLimit(t.db, { orgId: w.org.id, actorId, seatLimit: 50_000 + ++seatLimitCalls }) }),
    allowed: okResult,
  },
  {
    name: 'listAuditEvents (the audit page)',
    permission: 'members:read',
    policy: ownerOrAdmin,
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id], result: await listAuditEvents(t.db, { orgId: w.org.id, actorId }) }),
    allowed: (r) => r !== null,
  },
  {
    // The project page: getProject, then listProjectMembers.
    name: 'getProject (the hidden project)',
    permission: 'projects:manage_all',
    policy: seesAllProjects,
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id, w.projects.hidden.id], result: await getProject(t.db, { orgId: w.org.id, actorId, projectId: w.projects.hidden.id }) }),
    allowed: (r) => r !== null,
    mayShow: (kind) => (kind === 'memberWithout' ? [w.projects.shared.id, w.projects.shared.name] : []),
  },
  {
    name: 'listProjectMembers (the hidden project)',
    permission: 'projects:manage_all',
    policy: seesAllProjects,
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id, w.projects.hidden.id], result: await listProjectMembers(t.db, { orgId: w.org.id, actorId, projectId: w.projects.hidden.id }) }),
    allowed: (r) => r !== null,
    mayShow: (kind) => (kind === 'memberWithout' ? [w.projects.shared.id, w.projects.shared.name] : []),
  },
  {
    // The member without permissions has view access to it.
    name: 'getProject (the shared project)',
    permission: 'projects:manage_all',
    policy: anyMember,
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id, w.projects.shared.id], result: await getProject(t.db, { orgId: w.org.id, actorId, projectId: w.projects.shared.id }) }),
    allowed: (r) => r !== null,
  },
  {
    name: 'listProjectMembers (the shared project)',
    permission: 'projects:manage_all',
    policy: anyMember,
    writes: false,
    call: async (actorId) => ({ sent: [w.org.id, w.projects.shared.id], result: await listProjectMembers(t.db, { orgId: w.org.id, actorId, projectId: w.projects.shared.id }) }),
    allowed: (r) => r !== null,
  },
  {
    name: 'setProjectAccess (grant)',
    permission: 'projects:manage_all',
    policy: seesAllProjects,
    writes: true,
    prepare: async () => ({ projectId: (await freshProject()).id, userId: (await freshMember()).id }),
    call: async (actorId, { projectId, userId }) => ({
      sent: [w.org.id, projectId, userId],
      result: await setProjectAccess(t.db, { orgId: w.org.id, actorId, projectId, userId, level: 'view' }),
    }),
    allowed: okResult,
  },
  {
    name: 'setProjectAccess (change the level)',
    permission: 'projects:manage_all',
    policy: seesAllProjects,
    writes: true,
    prepare: async () => {
      const [project, member] = [await freshProject(), await freshMember()]
      await setProjectLevel(t.db, w.org.id, project.id, member.id, 'view')
      return { projectId: project.id, userId: member.id }
    },
    call: async (actorId, { projectId, userId }) => ({
      sent: [w.org.id, projectId, userId],
      result: await setProjectAccess(t.db, { orgId: w.org.id, actorId, projectId, userId, level: 'edit' }),
    }),
    allowed: okResult,
  },
  {
    name: 'setProjectAccess (remove)',
    permission: 'projects:manage_all',
    policy: seesAllProjects,
    writes: true,
    prepare: async () => {
      const [project, member] = [await freshProject(), await freshMember()]
      await setProjectLevel(t.db, w.org.id, project.id, member.id, 'edit')
      return { projectId: project.id, userId: member.id }
    },
    call: async (actorId, { projectId, userId }) => ({
      sent: [w.org.id, projectId, userId],
      result: await setProjectAccess(t.db, { orgId: w.org.id, actorId, projectId, userId, level: null }),
    }),
    allowed: okResult,
  },
  {
    name: 'renameProject',
    permission: 'projects:manage_all',
    policy: seesAllProjects,
    writes: true,
    prepare: freshProject,
    call: async (actorId, project) => ({ sent: [w.org.id, project.id], result: await renameProject(t.db, { orgId: w.org.id, actorId, projectId: project.id, name: 'Renamed' }) }),
    allowed: okResult,
  },
  {
    name: 'deleteProject',
    permission: 'projects:manage_all',
    policy: seesAllProjects,
    writes: true,
    prepare: freshProject,
    call: async (actorId, project) => ({ sent: [w.org.id, project.id], result: await deleteProject(t.db, { orgId: w.org.id, actorId, projectId: project.id }) }),
    allowed: okResult,
  },
]
let seatLimitCalls = 0

/** Who may: owners and admins always; a member holding the permission; any member when none is needed. */
function expectedAllowed(row: Pick<Row, 'permission' | 'policy'>, kind: CallerKind): boolean {
  if (row.policy) return row.policy(kind)
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
          const target = (await row.prepare?.()) ?? {}
          const before = await snapshot(t.db)
          const { sent, result } = await row.call(actorId, target)
          expect(row.allowed(result), JSON.stringify(result)).toBe(expected)
          if (expected) {
            if (row.writes) expect(await snapshot(t.db)).not.toEqual(before)
            return
          }
          expect(await snapshot(t.db)).toEqual(before)
          expect(leakedSecrets(result, secrets.concat(await secretsOf(t.db, w)), [...sent, actorId, ...(row.mayShow?.(kind) ?? [])])).toEqual([])
        })
      }
      it('a user id that exists nowhere (no session, or a forged one): refused, writes nothing', async () => {
        const target = (await row.prepare?.()) ?? {}
        const before = await snapshot(t.db)
        const { sent, result } = await row.call(NOBODY, target)
        expect(row.allowed(result)).toBe(false)
        expect(await snapshot(t.db)).toEqual(before)
        expect(leakedSecrets(result, secrets.concat(await secretsOf(t.db, w)), sent)).toEqual([])
      })
    })
  }

  // The same, for the first write functions, several callers on one target.
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

    it('cannot change, remove or promote organization A’s members, nor edit its invitations, through its own organization', async () => {
      const b = w.other
      const [member, inv, own] = [await freshMember(), await freshInvitation(), await ownInvitationOfB()]
      const before = await snapshot(t.db)
      const results = {
        updateMemberAccess: await updateMemberAccess(t.db, { orgId: b.org.id, actorId: b.owner.id, userId: member.id, role: 'admin', permissions: [] }),
        removeMember: await removeMember(t.db, { orgId: b.org.id, actorId: b.owner.id, userId: member.id }),
        makeOwner: await makeOwner(t.db, { orgId: b.org.id, actorId: b.owner.id, userId: member.id }),
        updateInvitation: await updateInvitation(t.db, { orgId: b.org.id, actorId: b.owner.id, invitationId: inv.id, role: 'admin', permissions: [], projectGrants: [] }),
        // B's own invitation, made to offer A's project.
        updateOwnInvitation: await updateInvitation(t.db, {
          orgId: b.org.id,
          actorId: b.owner.id,
          invitationId: own.id,
          role: 'member',
          permissions: [],
          projectGrants: [{ projectId: w.projects.hidden.id, level: 'admin' }],
        }),
      }
      for (const [name, result] of Object.entries(results)) {
        expect(result, name).toMatchObject({ ok: false, error: 'not_found' })
        expect(leakedSecrets(result, secrets, [member.id, inv.id, w.projects.hidden.id]), name).toEqual([])
      }
      expect(await snapshot(t.db)).toEqual(before)
    })

    it('cannot see, grant on, rename or delete organization A’s projects, nor grant A’s members access to its own', async () => {
      const b = w.other
      const [project, member] = [await freshProject(), await freshMember()]
      const before = await snapshot(t.db)
      const results = {
        getProject: await getProject(t.db, { orgId: b.org.id, actorId: b.owner.id, projectId: project.id }),
        listProjectMembers: await listProjectMembers(t.db, { orgId: b.org.id, actorId: b.owner.id, projectId: project.id }),
        setProjectAccess: await setProjectAccess(t.db, { orgId: b.org.id, actorId: b.owner.id, projectId: project.id, userId: b.owner.id, level: 'admin' }),
        renameProject: await renameProject(t.db, { orgId: b.org.id, actorId: b.owner.id, projectId: project.id, name: 'Taken over' }),
        deleteProject: await deleteProject(t.db, { orgId: b.org.id, actorId: b.owner.id, projectId: project.id }),
        grantOwnToA: await setProjectAccess(t.db, { orgId: b.org.id, actorId: b.owner.id, projectId: b.project.id, userId: member.id, level: 'view' }),
        auditOfA: await listAuditEvents(t.db, { orgId: w.org.id, actorId: b.owner.id }),
        memberOfA: await getMemberForEdit(t.db, { orgId: b.org.id, actorId: b.owner.id, userId: member.id }),
        previousAccessInA: await getPreviousAccess(t.db, { orgId: w.org.id, actorId: b.owner.id, email: member.email }),
        seatLimitOfA: await setSeatLimit(t.db, { orgId: w.org.id, actorId: b.owner.id, seatLimit: 1 }),
      }
      for (const [name, result] of Object.entries(results)) {
        expect(result === null || (result as { ok?: boolean }).ok === false, `${name}: ${JSON.stringify(result)}`).toBe(true)
        expect(leakedSecrets(result, secrets, [project.id, member.id, member.email]), name).toEqual([])
      }
      expect(results.grantOwnToA).toMatchObject({ ok: false, error: 'not_member' })
      expect(await snapshot(t.db)).toEqual(before)
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

  describe('a project’s admins are the members with admin level on it', () => {
    it('a member with admin level on one project, and no permission, manages that project only', async () => {
      const [projectAdmin, target] = [await freshMember(), await freshMember()]
      const [mine, other] = [await freshProject(), await freshProject()]
      await setProjectLevel(t.db, w.org.id, mine.id, projectAdmin.id, 'admin')
      const on = (projectId: string) => ({ orgId: w.org.id, actorId: projectAdmin.id, projectId })
      expect(await setProjectAccess(t.db, { ...on(mine.id), userId: target.id, level: 'admin' })).toEqual({ ok: true })
      expect(await setProjectAccess(t.db, { ...on(mine.id), userId: target.id, level: 'view' })).toEqual({ ok: true })
      expect(await setProjectAccess(t.db, { ...on(mine.id), userId: target.id, level: null })).toEqual({ ok: true })
      expect(await renameProject(t.db, { ...on(mine.id), name: 'Renamed by its admin' })).toEqual({ ok: true })

      const before = await snapshot(t.db)
      expect(await getProject(t.db, on(other.id))).toBeNull()
      expect(await listProjectMembers(t.db, on(other.id))).toBeNull()
      expect(await setProjectAccess(t.db, { ...on(other.id), userId: target.id, level: 'view' })).toMatchObject({ ok: false, error: 'not_found' })
      expect(await setProjectAccess(t.db, { ...on(other.id), userId: projectAdmin.id, level: 'admin' })).toMatchObject({ ok: false, error: 'not_found' })
      expect(await renameProject(t.db, { ...on(other.id), name: 'Taken over' })).toMatchObject({ ok: false, error: 'not_found' })
      expect(await deleteProject(t.db, on(other.id))).toMatchObject({ ok: false, error: 'not_found' })
      expect(await snapshot(t.db)).toEqual(before)

      expect(await deleteProject(t.db, on(mine.id))).toEqual({ ok: true })
    })

    for (const level of ['view', 'edit'] as const) {
      it(`a member with ${level} level sees the project but cannot manage it, nor raise its own level`, async () => {
        const [member, target, project] = [await freshMember(), await freshMember(), await freshProject()]
        await setProjectLevel(t.db, w.org.id, project.id, member.id, level)
        const on = { orgId: w.org.id, actorId: member.id, projectId: project.id }
        expect(await getProject(t.db, on)).toMatchObject({ id: project.id, myLevel: level })
        const before = await snapshot(t.db)
        expect(await setProjectAccess(t.db, { ...on, userId: target.id, level: 'view' })).toMatchObject({ ok: false, error: 'forbidden' })
        expect(await setProjectAccess(t.db, { ...on, userId: member.id, level: 'admin' })).toMatchObject({ ok: false, error: 'forbidden' })
        expect(await renameProject(t.db, { ...on, name: 'Renamed' })).toMatchObject({ ok: false, error: 'forbidden' })
        expect(await deleteProject(t.db, on)).toMatchObject({ ok: false, error: 'forbidden' })
        expect(await snapshot(t.db)).toEqual(before)
      })
    }

    it('access goes only to members of the organization', async () => {
      const project = await freshProject()
      const before = await snapshot(t.db)
      for (const userId of [w.stranger.id, w.other.owner.id, NOBODY]) {
        const r = await setProjectAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: project.id, userId, level: 'view' })
        expect(r, userId).toMatchObject({ ok: false, error: 'not_member' })
      }
      expect(await snapshot(t.db)).toEqual(before)
    })
  })

  describe('leaveOrganization: only oneself, never the last owner', () => {
    it('a member or an admin leaves, and its project access goes with it', async () => {
      for (const role of ['member', 'admin'] as const) {
        const [member, project] = [await freshMember(role), await freshProject()]
        await setProjectLevel(t.db, w.org.id, project.id, member.id, 'edit')
        expect(await leaveOrganization(t.db, { orgId: w.org.id, userId: member.id }), role).toEqual({ ok: true })
        expect(await getOrgForMember(t.db, { slug: w.org.slug, userId: member.id }), role).toBeNull()
        const access = await t.db.select().from(projectMembers).where(and(eq(projectMembers.organizationId, w.org.id), eq(projectMembers.userId, member.id)))
        expect(access, role).toEqual([])
      }
    })

    it('someone who is not a member (a stranger, a member of another organization, nobody) is refused; nothing changes or shows', async () => {
      for (const userId of [w.stranger.id, w.other.owner.id, NOBODY]) {
        const before = await snapshot(t.db)
        const r = await leaveOrganization(t.db, { orgId: w.org.id, userId })
        expect(r, userId).toMatchObject({ ok: false, error: 'not_found' })
        expect(await snapshot(t.db), userId).toEqual(before)
        expect(leakedSecrets(r, secrets, [userId])).toEqual([])
      }
    })

    it('the last owner cannot leave; once another member is owner, it can, and then that one is the last', async () => {
      const [first, second] = [await createUser(t.db, uniqueEmail('solo')), await createUser(t.db, uniqueEmail('heir'))]
      const org = await createOrganization(t.db, { name: `Solo ${uid()}`, userId: first.id })
      const before = await snapshot(t.db)
      expect(await leaveOrganization(t.db, { orgId: org.id, userId: first.id })).toMatchObject({ ok: false, error: 'last_owner' })
      expect(await snapshot(t.db)).toEqual(before)
      await t.db.insert(memberships).values({ organizationId: org.id, userId: second.id, role: 'member', permissions: [] })
      expect(await makeOwner(t.db, { orgId: org.id, actorId: first.id, userId: second.id })).toEqual({ ok: true })
      expect(await leaveOrganization(t.db, { orgId: org.id, userId: first.id })).toEqual({ ok: true })
      expect(await leaveOrganization(t.db, { orgId: org.id, userId: second.id })).toMatchObject({ ok: false, error: 'last_owner' })
      expect(await removeMember(t.db, { orgId: org.id, actorId: second.id, userId: second.id })).toMatchObject({ ok: false })
    })

    it('leaveOrganizationAction: the organization comes from the slug and the one leaving from the session', async () => {
      const act = actions(t.db)
      for (const kind of ['signedOut', 'stranger', 'otherOrg'] as const) {
        const actorId = await callerId(t.db, w, kind, null)
        const before = await snapshot(t.db)
        const state = await act.leaveOrganization(form([['slug', w.org.slug]]), userGetter(actorId ? { id: actorId, email: `${kind}@example.com` } : null))
        expect(state, kind).toMatchObject({ status: 'error' })
        expect(await snapshot(t.db), kind).toEqual(before)
        expect(leakedSecrets({ ...state, values: undefined }, secrets, [w.org.slug]), kind).toEqual([])
      }
      const ownOrg = await act.leaveOrganization(form([['slug', w.other.org.slug]]), userGetter(w.other.owner))
      expect(ownOrg).toMatchObject({ status: 'error', message: 'You are the last owner. Make someone else owner before you leave.' })
      const member = await freshMember()
      expect(await act.leaveOrganization(form([['slug', w.org.slug]]), userGetter(member))).toMatchObject({ status: 'success' })
      expect(await getOrgForMember(t.db, { slug: w.org.slug, userId: member.id })).toBeNull()
    })
  })

  describe('each user’s own: notifications and the organization list', () => {
    const unread = async (id: string) => (await t.db.select({ readAt: notifications.readAt }).from(notifications).where(eq(notifications.id, id)))[0].readAt === null

    it('markNotificationsRead marks the caller’s unread notifications and nobody else’s', async () => {
      const owners = await addNotification(t.db, { userId: w.owner.id, orgId: w.org.id })
      for (const userId of [w.stranger.id, w.memberWithout.id, w.admin.id, w.other.owner.id, NOBODY]) {
        await markNotificationsRead(t.db, { userId })
        expect(await unread(owners.id), userId).toBe(true)
      }
      expect((await markNotificationsRead(t.db, { userId: w.owner.id })).updated).toBeGreaterThanOrEqual(1)
      expect(await unread(owners.id)).toBe(false)
      const left = await t.db.select({ id: notifications.id }).from(notifications).where(and(eq(notifications.userId, w.owner.id), isNull(notifications.readAt)))
      expect(left).toEqual([])
    })

    it('listNotifications lists the caller’s own only', async () => {
      const email = uniqueEmail('secret-joiner')
      const admins = await addNotification(t.db, { userId: w.admin.id, orgId: w.org.id, email })
      for (const kind of CALLER_KINDS.filter((k) => k !== 'signedOut' && k !== 'admin')) {
        const r = await listNotifications(t.db, { userId: (await callerId(t.db, w, kind, null))! })
        expect(r.items.map((n) => n.id), kind).not.toContain(admins.id)
        expect(leakedSecrets(r, [email], []), kind).toEqual([])
      }
      expect(await listNotifications(t.db, { userId: NOBODY })).toEqual({ items: [], unread: 0 })
      expect((await listNotifications(t.db, { userId: w.admin.id })).items.map((n) => n.id)).toContain(admins.id)
    })

    it('listMyOrganizations (the Dashboard) lists organization A to its members only', async () => {
      for (const kind of CALLER_KINDS.filter((k) => k !== 'signedOut')) {
        const orgs = await listMyOrganizations(t.db, { userId: (await callerId(t.db, w, kind, null))! })
        expect(orgs.some((o) => o.id === w.org.id), kind).toBe(anyMember(kind))
        if (!anyMember(kind)) expect(leakedSecrets(orgs, secrets, []), kind).toEqual([])
      }
      expect(await listMyOrganizations(t.db, { userId: NOBODY })).toEqual([])
    })
  })
})

// Each action as app/**/actions.ts composes it (fixtures.ts actions()): the session, the schema,
// the membership by slug and the permission the wrapper names, then the data function. Every
// caller kind, the signed-out one included; the target is made before the snapshot.
describe('authorization matrix: every action as composed', () => {
  let act: ReturnType<typeof actions>
  let seatLimits = 0
  beforeAll(() => {
    act = actions(t.db)
  })

  type Entries = [string, string][]
  interface ActionRow {
    name: string
    permission: OrgPermission | null
    /** Who may, when it is not "owners, admins and members holding the permission". */
    policy?: (kind: CallerKind) => boolean
    writes: boolean
    /** Makes the target and returns the form. */
    form: (actorId: string | null) => Promise<Entries>
    run: (fd: FormData, getUser: GetUser) => Promise<ActionState>
    allowed?: (state: ActionState) => boolean
  }
  const signedIn = (k: CallerKind) => k !== 'signedOut'
  const slug = (): [string, string] => ['slug', w.org.slug]
  const withLevel = async (level: 'view' | 'edit') => {
    const [project, member] = [await freshProject(), await freshMember()]
    await setProjectLevel(t.db, w.org.id, project.id, member.id, level)
    return { project, member }
  }
  const invitee = async () => freshInvitation((await createUser(t.db, uniqueEmail('invitee'))).email)

  const actionRows: ActionRow[] = [
    { name: 'createOrganizationAction', permission: null, policy: signedIn, writes: true, form: async () => [['name', `Mine ${uid()}`]], run: (fd, u) => act.createOrganization(fd, u) },
    { name: 'createProjectAction', permission: 'projects:create', writes: true, form: async () => [slug(), ['name', 'Apollo']], run: (fd, u) => act.createProject(fd, u) },
    {
      name: 'inviteMembersAction',
      permission: 'members:invite',
      writes: true,
      form: async () => [slug(), ['emails', uniqueEmail('matrix')], ['role', 'member']],
      run: (fd, u) => act.inviteMembers(fd, u),
    },
    {
      name: 'resendInvitationAction',
      permission: 'members:invite',
      writes: true,
      form: async () => [slug(), ['invitationId', (await freshInvitation()).id]],
      run: (fd, u) => act.resendInvitation(fd, u),
    },
    {
      name: 'revokeInvitationAction',
      permission: 'members:invite',
      writes: true,
      form: async () => [slug(), ['invitationId', (await freshInvitation()).id]],
      run: (fd, u) => act.revokeInvitation(fd, u),
    },
    {
      name: 'updateInvitationAction',
      permission: 'members:invite',
      writes: true,
      form: async () => [slug(), ['invitationId', (await freshInvitation()).id], ['role', 'member'], ['permissions[]', 'members:invite']],
      run: (fd, u) => act.updateInvitation(fd, u),
    },
    {
      name: 'previousAccessAction',
      permission: 'members:invite',
      writes: false,
      form: async () => [slug(), ['email', (await formerMember()).email]],
      run: (fd, u) => act.previousAccess(fd, u),
      allowed: (state) => state.status === 'success' && state.data !== null,
    },
    {
      name: 'updateMemberAccessAction',
      permission: 'members:manage_permissions',
      writes: true,
      form: async () => [slug(), ['userId', (await freshMember()).id], ['role', 'member'], ['permissions[]', 'members:manage_permissions']],
      run: (fd, u) => act.updateMemberAccess(fd, u),
    },
    {
      name: 'updateMemberAccessAction (an admin, to member)',
      permission: 'members:manage_permissions',
      policy: ownerOrAdmin,
      writes: true,
      form: async () => [slug(), ['userId', (await freshMember('admin')).id], ['role', 'member']],
      run: (fd, u) => act.updateMemberAccess(fd, u),
    },
    {
      name: 'updateMemberAccessAction (an owner, to admin)',
      permission: 'members:manage_permissions',
      policy: ownerOnly,
      writes: true,
      form: async () => [slug(), ['userId', (await freshOwner()).id], ['role', 'admin']],
      run: (fd, u) => act.updateMemberAccess(fd, u),
    },
    { name: 'removeMemberAction', permission: 'members:remove', writes: true, form: async () => [slug(), ['userId', (await freshMember()).id]], run: (fd, u) => act.removeMember(fd, u) },
    {
      name: 'removeMemberAction (an owner)',
      permission: 'members:remove',
      policy: ownerOnly,
      writes: true,
      form: async () => [slug(), ['userId', (await freshOwner()).id]],
      run: (fd, u) => act.removeMember(fd, u),
    },
    {
      name: 'makeOwnerAction',
      permission: 'members:manage_permissions',
      policy: ownerOnly,
      writes: true,
      form: async () => [slug(), ['userId', (await freshMember()).id]],
      run: (fd, u) => act.makeOwner(fd, u),
    },
    {
      name: 'setSeatLimitAction',
      permission: 'members:manage_permissions',
      policy: ownerOnly,
      writes: true,
      form: async () => [slug(), ['seatLimit', String(60_000 + ++seatLimits)]],
      run: (fd, u) => act.setSeatLimit(fd, u),
    },
    {
      name: 'grantProjectAccessAction',
      permission: 'projects:manage_all',
      policy: seesAllProjects,
      writes: true,
      form: async () => [slug(), ['projectId', (await freshProject()).id], ['email', (await freshMember()).email], ['level', 'edit']],
      run: (fd, u) => act.grantProjectAccess(fd, u),
    },
    {
      name: 'setProjectAccessAction (change the level)',
      permission: 'projects:manage_all',
      policy: seesAllProjects,
      writes: true,
      form: async () => {
        const { project, member } = await withLevel('view')
        return [slug(), ['projectId', project.id], ['userId', member.id], ['level', 'admin']]
      },
      run: (fd, u) => act.setProjectAccess(fd, u),
    },
    {
      name: 'setProjectAccessAction (remove)',
      permission: 'projects:manage_all',
      policy: seesAllProjects,
      writes: true,
      form: async () => {
        const { project, member } = await withLevel('edit')
        return [slug(), ['projectId', project.id], ['userId', member.id], ['level', 'none']]
      },
      run: (fd, u) => act.setProjectAccess(fd, u),
    },
    {
      name: 'renameProjectAction',
      permission: 'projects:manage_all',
      policy: seesAllProjects,
      writes: true,
      form: async () => [slug(), ['projectId', (await freshProject()).id], ['name', 'Renamed']],
      run: (fd, u) => act.renameProject(fd, u),
    },
    {
      name: 'deleteProjectAction',
      permission: 'projects:manage_all',
      policy: seesAllProjects,
      writes: true,
      form: async () => [slug(), ['projectId', (await freshProject()).id]],
      run: (fd, u) => act.deleteProject(fd, u),
    },
    {
      // Anyone signed in marks their own; an unread one is made for the caller so that it writes.
      name: 'markNotificationsReadAction',
      permission: null,
      policy: signedIn,
      writes: true,
      form: async (actorId) => {
        if (actorId) await addNotification(t.db, { userId: actorId, orgId: w.org.id })
        return []
      },
      run: (fd, u) => act.markNotificationsRead(fd, u),
    },
    {
      // Only the invited address answers, and none of the callers is it.
      name: 'acceptInvitationAction',
      permission: 'members:invite',
      policy: nobody,
      writes: true,
      form: async () => [['invitationId', (await invitee()).id]],
      run: (fd, u) => act.acceptInvitation(fd, u),
    },
    {
      name: 'declineInvitationAction',
      permission: 'members:invite',
      policy: nobody,
      writes: true,
      form: async () => [['invitationId', (await invitee()).id]],
      run: (fd, u) => act.declineInvitation(fd, u),
    },
  ]

  for (const row of actionRows) {
    describe(row.name, () => {
      for (const kind of CALLER_KINDS) {
        const expected = kind !== 'signedOut' && expectedAllowed(row, kind)
        it(`${kind}: ${expected ? 'allowed' : 'refused, writes nothing, reveals nothing'}`, async () => {
          const actorId = await callerId(t.db, w, kind, row.permission)
          const entries = await row.form(actorId)
          const before = await snapshot(t.db)
          const state = await row.run(form(entries), userGetter(actorId ? { id: actorId, email: `${kind}@example.com` } : null))
          expect(row.allowed ? row.allowed(state) : state.status === 'success', JSON.stringify(state)).toBe(expected)
          if (expected) {
            if (row.writes) expect(await snapshot(t.db)).not.toEqual(before)
            return
          }
          expect(state.status).toBe('error')
          expect(await snapshot(t.db)).toEqual(before)
          const sent = [...entries.map(([, v]) => v), ...(actorId ? [actorId] : [])]
          expect(leakedSecrets(state, secrets.concat(await secretsOf(t.db, w)), sent)).toEqual([])
        })
      }
    })
  }

  it('grantProjectAccessAction: a member who may not manage the project cannot tell a member’s address from any other', async () => {
    // The member without permissions may not read the member list (members:read).
    const getUser = userGetter(w.memberWithout)
    for (const projectId of [w.projects.hidden.id, w.projects.shared.id, (await freshProject()).id]) {
      const answer = async (email: string) => {
        const state = await act.grantProjectAccess(form([slug(), ['projectId', projectId], ['email', email], ['level', 'view']]), getUser)
        return { status: state.status, message: state.message, fieldErrors: state.fieldErrors }
      }
      expect(await answer(w.admin.email), projectId).toEqual(await answer(uniqueEmail('not-a-member')))
    }
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
    ['updateInvitationAction', updateInvitationSchema, () => form([['slug', w.org.slug], ['invitationId', w.pending.id], ['role', 'member']])],
    ['previousAccessAction', previousAccessSchema, () => form([['slug', w.org.slug], ['email', w.memberWithout.email]])],
    ['updateMemberAccessAction', memberAccessSchema, () => form([['slug', w.org.slug], ['userId', w.memberWithout.id], ['role', 'admin']])],
    ['removeMemberAction', memberTargetSchema, () => form([['slug', w.org.slug], ['userId', w.memberWithout.id]])],
    ['makeOwnerAction', memberTargetSchema, () => form([['slug', w.org.slug], ['userId', w.memberWithout.id]])],
    ['leaveOrganizationAction', leaveOrganizationSchema, () => form([['slug', w.org.slug]])],
    ['setSeatLimitAction', seatLimitSchema, () => form([['slug', w.org.slug], ['seatLimit', '1']])],
    ['grantProjectAccessAction', grantByEmailSchema, () => form([['slug', w.org.slug], ['projectId', w.projects.hidden.id], ['email', w.memberWithout.email], ['level', 'admin']])],
    ['setProjectAccessAction', projectAccessSchema, () => form([['slug', w.org.slug], ['projectId', w.projects.shared.id], ['userId', w.memberWithout.id], ['level', 'none']])],
    ['renameProjectAction', renameProjectSchema, () => form([['slug', w.org.slug], ['projectId', w.projects.hidden.id], ['name', 'Renamed']])],
    ['deleteProjectAction', projectRefSchema, () => form([['slug', w.org.slug], ['projectId', w.projects.hidden.id]])],
    ['markNotificationsReadAction', markReadSchema, () => form([])],
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

// Shared set-up for the security tests (not a test file itself): a world of callers, whole-database
// snapshots and dumps, and the action compositions of app/**/actions.ts with the database and the
// session injected (the real actions need the Next runtime: getDb(), auth(), redirect()).
import { createHash, randomBytes } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '@/db/client'
import { memberships, notifications, users } from '@/db/schema'
import { runAction } from '@/lib/actions/run-action'
import { fail, ok, type ActionState } from '@/lib/actions/state'
import { acceptInvitation } from '@/lib/data/invitations/accept-invitation'
import { claimInvitationForNewUser } from '@/lib/data/invitations/claim-invitation-for-new-user'
import { createInvitations, type InviteOutcome } from '@/lib/data/invitations/create-invitations'
import { declineInvitation } from '@/lib/data/invitations/decline-invitation'
import { getPreviousAccess } from '@/lib/data/invitations/get-previous-access'
import { resendInvitation } from '@/lib/data/invitations/resend-invitation'
import { revokeInvitation } from '@/lib/data/invitations/revoke-invitation'
import { updateInvitation } from '@/lib/data/invitations/update-invitation'
import { leaveOrganization } from '@/lib/data/members/leave-organization'
import { makeOwner } from '@/lib/data/members/make-owner'
import { removeMember } from '@/lib/data/members/remove-member'
import { updateMemberAccess } from '@/lib/data/members/update-member-access'
import { markNotificationsRead } from '@/lib/data/notifications'
import { createOrganization, getOrgForMember, setSeatLimit, type OrgContext } from '@/lib/data/organizations'
import { createProject } from '@/lib/data/projects/create-project'
import { deleteProject } from '@/lib/data/projects/delete-project'
import { renameProject } from '@/lib/data/projects/rename-project'
import { setProjectAccess } from '@/lib/data/projects/set-project-access'
import { addProject, setProjectLevel } from '@/lib/data/invitations.test-support'
import { hasPermission, type OrgPermission } from '@/lib/permissions'
import { invitationIdSchema, inviteSchema, isWellFormedToken, respondSchema } from '@/lib/validations/invitation'
import { previousAccessSchema, updateInvitationSchema } from '@/lib/validations/invitation-edit'
import { leaveOrganizationSchema, memberAccessSchema, memberTargetSchema, seatLimitSchema } from '@/lib/validations/member'
import { createOrganizationSchema } from '@/lib/validations/organization'
import { createProjectSchema } from '@/lib/validations/project'
import { projectAccessSchema, projectRefSchema, renameProjectSchema } from '@/lib/validations/project-access'
import { emailField } from '@/lib/validations/common'
import { createUser } from '@/test/factories'

export const config = { appUrl: 'https://app.example.com', ttlDays: 7 }
export const DAY = 24 * 60 * 60_000
export const ago = (ms: number) => new Date(Date.now() - ms)
export const uid = () => randomBytes(4).toString('hex')
export const uniqueEmail = (label = 'user') => `${label}-${uid()}@example.com`

// ---------------------------------------------------------------------------------------------
// Whole-database snapshots

const tableLists = new WeakMap<Db, string[]>()

/** Rows of a raw query, on pg and PGlite alike (both answer with `rows`). */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows
}

/** Every table of the public schema, so tables added later (notifications, ...) are covered too. */
export async function allTables(db: Db): Promise<string[]> {
  const cached = tableLists.get(db)
  if (cached) return cached
  const rows = await rowsOf<{ name: string }>(db, 
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  )
  const names = rows.map((row) => row.name)
  tableLists.set(db, names)
  return names
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`

/**
 * Per table, the row count and a checksum of every row version (ctid, xmin): any insert, update
 * (even to the same values) or delete changes it, and a rolled-back write does not. One query,
 * and cheap however large the rows are (email bodies), so it can run around every fuzzed call.
 */
export async function snapshot(db: Db): Promise<Record<string, string>> {
  const tables = await allTables(db)
  const parts = tables.map(
    (t) => `select '${t}' as name, count(*)::text || ':' || md5(coalesce(string_agg(x.ctid::text || '@' || x.xmin::text, ',' order by x.ctid), '')) as sum from ${ident(t)} x`,
  )
  const rows = await rowsOf<{ name: string; sum: string }>(db, sql.raw(parts.join(' union all ')))
  return Object.fromEntries(rows.map((row) => [row.name, row.sum]))
}

/** Every row of every table as JSON text (a database dump, for scanning). */
export async function dump(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const t of await allTables(db)) {
    const rows = await rowsOf<{ r: string }>(db, sql.raw(`select row_to_json(x)::text as r from ${ident(t)} x`))
    out[t] = rows.map((row) => row.r)
  }
  return out
}

/** Runs `fn` and asserts that no table changed, returning its result. */
export async function withoutWrites<T>(db: Db, fn: () => Promise<T>, expectFn: (a: unknown, b: unknown) => void): Promise<T> {
  const before = await snapshot(db)
  const result = await fn()
  expectFn(await snapshot(db), before)
  return result
}

// ---------------------------------------------------------------------------------------------
// The world: one organization (A) with every kind of caller, and another (B)

export type CallerKind = 'signedOut' | 'stranger' | 'memberWithout' | 'memberWith' | 'admin' | 'owner' | 'otherOrg'
export const CALLER_KINDS: CallerKind[] = ['signedOut', 'stranger', 'memberWithout', 'memberWith', 'admin', 'owner', 'otherOrg']

/** A user id that exists nowhere: what a request with no session, or a forged one, amounts to. */
export const NOBODY = '00000000-0000-4000-8000-000000000000'

export async function createNamedUser(db: Db, label: string, name: string | null = null) {
  const user = await createUser(db, uniqueEmail(label))
  if (name !== null) await db.update(users).set({ name }).where(sql`${users.id} = ${user.id}`)
  return { ...user, name }
}

export async function addMemberTo(db: Db, orgId: string, role: 'admin' | 'member', permissions: string[], label: string) {
  const user = await createNamedUser(db, label, `Secret ${label} ${uid()}`)
  await db.insert(memberships).values({ organizationId: orgId, userId: user.id, role, permissions })
  return user
}

/**
 * Organization A with an owner, an admin, a member with no permission and a project it can see,
 * a project nobody but the owner sees, a pending invitation; a stranger with an account; and
 * organization B whose owner plays "a member of another organization".
 */
export async function createSecurityWorld(db: Db) {
  const tag = uid()
  const owner = await createNamedUser(db, 'owner', `Secret Owner ${tag}`)
  const org = await createOrganization(db, { name: `Secretorg ${tag}`, userId: owner.id })
  const admin = await addMemberTo(db, org.id, 'admin', [], 'admin')
  const memberWithout = await addMemberTo(db, org.id, 'member', [], 'plain')
  const stranger = await createNamedUser(db, 'stranger', `Stranger ${tag}`)
  const otherOwner = await createNamedUser(db, 'other-owner', `Other Owner ${tag}`)
  const other = await createOrganization(db, { name: `Otherorg ${tag}`, userId: otherOwner.id })
  const otherProject = await addProject(db, other.id, `Other project ${tag}`)
  const shared = await addProject(db, org.id, `Secret shared project ${tag}`)
  const hidden = await addProject(db, org.id, `Secret hidden project ${tag}`)
  await setProjectLevel(db, org.id, shared.id, memberWithout.id, 'view')
  const pendingEmail = uniqueEmail('secret-invitee')
  const inv = await createInvitations(
    db,
    { orgId: org.id, actorId: owner.id, emails: [pendingEmail], role: 'member', permissions: [], projectGrants: [{ projectId: hidden.id, level: 'edit' }] },
    { ...config, now: ago(10 * 60_000) },
  )
  if (!inv.ok) throw new Error('world: invitation refused')
  const world = {
    tag,
    org,
    owner,
    admin,
    memberWithout,
    stranger,
    other: { org: other, owner: otherOwner, project: otherProject },
    projects: { shared, hidden },
    pending: { id: inv.results[0].invitationId!, email: pendingEmail },
    /** Members holding exactly one permission, made on first use. */
    withPermission: new Map<OrgPermission, { id: string; email: string }>(),
  }
  return world
}
export type SecurityWorld = Awaited<ReturnType<typeof createSecurityWorld>>

export async function memberWith(db: Db, w: SecurityWorld, permission: OrgPermission) {
  let m = w.withPermission.get(permission)
  if (!m) {
    m = await addMemberTo(db, w.org.id, 'member', [permission], `with-${permission.replace(':', '-')}`)
    w.withPermission.set(permission, m)
  }
  return m
}

/** The user id a caller kind acts as; signedOut has none (null). */
export async function callerId(db: Db, w: SecurityWorld, kind: CallerKind, permission: OrgPermission | null): Promise<string | null> {
  switch (kind) {
    case 'signedOut':
      return null
    case 'stranger':
      return w.stranger.id
    case 'memberWithout':
      return w.memberWithout.id
    case 'memberWith':
      return permission ? (await memberWith(db, w, permission)).id : w.memberWithout.id
    case 'admin':
      return w.admin.id
    case 'owner':
      return w.owner.id
    case 'otherOrg':
      return w.other.owner.id
  }
}

/** Strings of organization A that a refusal must never contain (ids the caller sent are removed by the caller). */
export async function secretsOf(db: Db, w: SecurityWorld): Promise<string[]> {
  const rows = await rowsOf<{ v: string }>(db, sql`
    select o.name as v from organizations o where o.id = ${w.org.id}
    union all select o.slug from organizations o where o.id = ${w.org.id}
    union all select u.email from users u join memberships m on m.user_id = u.id where m.organization_id = ${w.org.id}
    union all select u.name from users u join memberships m on m.user_id = u.id where m.organization_id = ${w.org.id} and u.name is not null
    union all select m.user_id::text from memberships m where m.organization_id = ${w.org.id}
    union all select p.id::text from projects p where p.organization_id = ${w.org.id}
    union all select p.name from projects p where p.organization_id = ${w.org.id}
    union all select i.id::text from invitations i where i.organization_id = ${w.org.id}
    union all select i.email from invitations i where i.organization_id = ${w.org.id}
    union all select i.token_hash from invitations i where i.organization_id = ${w.org.id}`)
  return [...new Set(rows.map((row) => row.v))]
}

/** The secrets found in a value's JSON, leaving out what the caller itself sent. */
export function leakedSecrets(value: unknown, secrets: string[], sent: string[]): string[] {
  const text = JSON.stringify(value ?? null).toLowerCase()
  return secrets.filter((s) => !sent.includes(s) && text.includes(s.toLowerCase()))
}

// ---------------------------------------------------------------------------------------------
// Forms and the action compositions

export function form(entries: [string, string | Blob][]): FormData {
  const fd = new FormData()
  for (const [k, v] of entries) fd.append(k, v)
  return fd
}

export type GetUser = () => Promise<{ id: string; email: string; name: string | null } | null>

export const userGetter =
  (user: { id: string; email: string } | null): GetUser =>
  async () =>
    user ? { id: user.id, email: user.email, name: null } : null

/** lib/actions/org-action.ts with the database and session injected: membership by slug, the permission, then the handler. */
export function orgActionLike<S extends z.ZodObject<{ slug: z.ZodType<string> }>, Data = unknown>(
  db: Db,
  schema: S,
  permission: OrgPermission | null,
  handler: (input: z.infer<S>, ctx: OrgContext & { user: { id: string } }) => Promise<ActionState<Data>>,
) {
  return (formData: FormData, getUser: GetUser): Promise<ActionState<Data>> =>
    runAction(schema, formData, getUser, async (input, user) => {
      const ctx = await getOrgForMember(db, { slug: (input as { slug: string }).slug, userId: user.id })
      if (!ctx) return fail('This organization was not found.')
      if (permission && !hasPermission(ctx.membership, permission)) return fail('You do not have permission to do this.')
      return handler(input, { ...ctx, user })
    })
}

/** lib/actions/auth-action.ts with the session injected. */
export function authActionLike<S extends z.ZodType, Data = unknown>(schema: S, handler: (input: z.infer<S>, user: { id: string }) => Promise<ActionState<Data>>) {
  return (formData: FormData, getUser: GetUser): Promise<ActionState<Data>> => runAction(schema, formData, getUser, handler)
}


/** The form of grantProjectAccessAction (app/(app)/orgs/[slug]/projects/[projectId]/actions.ts, where it is not exported). */
export const grantByEmailSchema = projectRefSchema.extend({
  email: emailField,
  level: z.enum(['view', 'edit', 'admin'], { message: 'Choose view, edit or admin.' }),
})

/** The form of markNotificationsReadAction: nothing. */
export const markReadSchema = z.object({})

/**
 * The server actions of app/**\/actions.ts and app/(app)/notifications-actions.ts, each its schema
 * and the data function it calls, with the same result mapping; revalidatePath and deliverSoon
 * (after the response) are left out and redirect() is a success state. The data functions
 * authorize on their own, inside their transaction.
 */
export function actions(db: Db, cfg: { appUrl: string; ttlDays: number; cooldownMs?: number } = config) {
  const outcomeCount = (rows: { outcome: InviteOutcome }[], outcome: InviteOutcome) => rows.filter((r) => r.outcome === outcome).length
  return {
    // app/(app)/dashboard/actions.ts
    createOrganization: authActionLike(createOrganizationSchema, async ({ name }, user) => {
      const org = await createOrganization(db, { name, userId: user.id })
      return ok(`redirect:/orgs/${org.slug}`)
    }),
    // app/(app)/orgs/[slug]/actions.ts
    createProject: orgActionLike(db, createProjectSchema, 'projects:create', async ({ name }, { org, user }) => {
      const result = await createProject(db, { orgId: org.id, actorId: user.id, name })
      if (!result.ok) return fail(result.message)
      return ok(`Project ${result.project.name} created.`)
    }),
    // app/(app)/orgs/[slug]/members/actions.ts
    inviteMembers: orgActionLike(db, inviteSchema, 'members:invite', async (input, { org, user }) => {
      const result = await createInvitations(
        db,
        { orgId: org.id, actorId: user.id, emails: input.emails, role: input.role, permissions: input.permissions, projectGrants: input.projects },
        cfg,
      )
      if (!result.ok) return fail(result.message, result.field ? { [result.field === 'projectGrants' ? 'projects' : result.field]: [result.message] } : undefined)
      const rows = result.results.map(({ email, outcome }) => ({ email, outcome }))
      const invited = outcomeCount(rows, 'invited')
      const message =
        invited === rows.length ? `Invitation${invited === 1 ? '' : 's'} sent to ${invited === 1 ? rows[0].email : `${invited} people`}.` : `${invited} of ${rows.length} invited. See each address below.`
      return { status: invited > 0 ? ('success' as const) : ('error' as const), message, data: rows }
    }),
    resendInvitation: orgActionLike(db, invitationIdSchema, 'members:invite', async ({ invitationId }, { org, user }) => {
      const result = await resendInvitation(db, { orgId: org.id, actorId: user.id, invitationId }, cfg)
      if (!result.ok) return fail(result.message)
      return ok('Invitation sent again with a new link.')
    }),
    revokeInvitation: orgActionLike(db, invitationIdSchema, 'members:invite', async ({ invitationId }, { org, user }) => {
      const result = await revokeInvitation(db, { orgId: org.id, actorId: user.id, invitationId })
      if (!result.ok) return fail(result.message)
      return ok('Invitation revoked.')
    }),
    updateMemberAccess: orgActionLike(db, memberAccessSchema, 'members:manage_permissions', async (input, { org, user }) => {
      const result = await updateMemberAccess(db, { orgId: org.id, actorId: user.id, userId: input.userId, role: input.role, permissions: input.permissions })
      if (!result.ok) return fail(result.message)
      return ok('Permissions saved.')
    }),
    removeMember: orgActionLike(db, memberTargetSchema, 'members:remove', async ({ userId }, { org, user }) => {
      const result = await removeMember(db, { orgId: org.id, actorId: user.id, userId })
      if (!result.ok) return fail(result.message)
      return ok('Member removed.')
    }),
    makeOwner: orgActionLike(db, memberTargetSchema, null, async ({ userId }, { org, user }) => {
      const result = await makeOwner(db, { orgId: org.id, actorId: user.id, userId })
      if (!result.ok) return fail(result.message)
      return ok('They are now an owner.')
    }),
    leaveOrganization: orgActionLike(db, leaveOrganizationSchema, null, async (_input, { org, user }) => {
      const result = await leaveOrganization(db, { orgId: org.id, userId: user.id })
      if (!result.ok) return fail(result.message)
      return ok('redirect:/dashboard')
    }),
    updateInvitation: orgActionLike(db, updateInvitationSchema, 'members:invite', async (input, { org, user }) => {
      const result = await updateInvitation(db, {
        orgId: org.id,
        actorId: user.id,
        invitationId: input.invitationId,
        role: input.role,
        permissions: input.permissions,
        projectGrants: input.projects,
      })
      if (!result.ok) return fail(result.message)
      return ok('Invitation updated. The link stays the same.')
    }),
    previousAccess: orgActionLike(db, previousAccessSchema, 'members:invite', async ({ email }, { org, user }) => {
      const previous = await getPreviousAccess(db, { orgId: org.id, actorId: user.id, email })
      return { status: 'success' as const, data: previous }
    }),
    setSeatLimit: orgActionLike(db, seatLimitSchema, null, async ({ seatLimit }, { org, user }) => {
      const result = await setSeatLimit(db, { orgId: org.id, actorId: user.id, seatLimit })
      if (!result.ok) return fail(result.message, result.error === 'invalid' ? { seatLimit: [result.message] } : undefined)
      return ok(seatLimit === null ? 'Seat limit removed.' : `Seat limit set to ${seatLimit}.`)
    }),
    // app/(app)/orgs/[slug]/projects/[projectId]/actions.ts
    grantProjectAccess: orgActionLike(db, grantByEmailSchema, null, async ({ projectId, email, level }, { org, user }) => {
      const result = await setProjectAccess(db, { orgId: org.id, actorId: user.id, projectId, email, level })
      if (!result.ok && result.error === 'not_member') {
        return fail('This address is not a member of the organization. Invite them first.', { email: ['Not a member of this organization.'] })
      }
      if (!result.ok) return fail(result.message)
      return ok(`Access granted to ${email}.`)
    }),
    setProjectAccess: orgActionLike(db, projectAccessSchema, null, async ({ projectId, userId, level }, { org, user }) => {
      const result = await setProjectAccess(db, { orgId: org.id, actorId: user.id, projectId, userId, level })
      if (!result.ok) return fail(result.message)
      return ok(level ? 'Access level changed.' : 'Access removed.')
    }),
    renameProject: orgActionLike(db, renameProjectSchema, null, async ({ projectId, name }, { org, user }) => {
      const result = await renameProject(db, { orgId: org.id, actorId: user.id, projectId, name })
      if (!result.ok) return fail(result.message)
      return ok('Project renamed.')
    }),
    deleteProject: orgActionLike(db, projectRefSchema, null, async ({ projectId }, { org, user }) => {
      const result = await deleteProject(db, { orgId: org.id, actorId: user.id, projectId })
      if (!result.ok) return fail(result.message)
      return ok(`redirect:/orgs/${org.slug}`)
    }),
    // app/(app)/notifications-actions.ts
    markNotificationsRead: authActionLike(markReadSchema, async (_input, user) => {
      await markNotificationsRead(db, { userId: user.id })
      return ok()
    }),
    // app/(app)/invitations/actions.ts
    acceptInvitation: authActionLike(respondSchema, async ({ invitationId }, user) => {
      const result = await acceptInvitation(db, { invitationId, userId: user.id })
      if (!result.ok) return fail(result.message)
      return ok(`You joined ${result.organization.name}.`, { slug: result.organization.slug })
    }),
    declineInvitation: authActionLike(respondSchema, async ({ invitationId }, user) => {
      const result = await declineInvitation(db, { invitationId, userId: user.id })
      if (!result.ok) return fail(result.message)
      return ok('Invitation declined.')
    }),
    /** continueAsInvitedAction, up to startSession (which needs the Next runtime). */
    continueAsInvited: async (formData: FormData, getUser: GetUser): Promise<ActionState> => {
      const token = formData.get('token')
      if (typeof token !== 'string' || !isWellFormedToken(token)) return fail('This invitation link is not valid.')
      if (await getUser()) return fail('You are already signed in.')
      const claimed = await claimInvitationForNewUser(db, token)
      if (!claimed.ok) {
        return fail(claimed.error === 'account_exists' ? 'An account already exists for this address: sign in to answer the invitation.' : 'This invitation can no longer be used.')
      }
      return ok(`redirect:/invitations/${token}`)
    },
  }
}

/** An unread "x accepted your invitation" notification for `userId` about organization `orgId`. */
export async function addNotification(db: Db, { userId, orgId, email = uniqueEmail('joined') }: { userId: string; orgId: string; email?: string }) {
  const [row] = await db
    .insert(notifications)
    .values({ userId, organizationId: orgId, kind: 'invitation.accepted', data: { email, orgName: 'Notified org' } })
    .returning({ id: notifications.id })
  return row
}

export function isActionState(value: unknown): value is ActionState {
  if (!value || typeof value !== 'object') return false
  const s = value as ActionState
  return (s.status === 'idle' || s.status === 'success' || s.status === 'error') && (s.message === undefined || typeof s.message === 'string')
}

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex')

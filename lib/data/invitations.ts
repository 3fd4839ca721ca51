import 'server-only'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { and, asc, desc, eq, gt, inArray, lte, sql, type SQL } from 'drizzle-orm'
import type { Db } from '@/db/client'
import {
  auditEvents,
  emailOutbox,
  invitationProjectGrants,
  invitations,
  memberships,
  notifications,
  organizations,
  projectMembers,
  projects,
  users,
} from '@/db/schema'
import { renderInvitationEmail } from '@/lib/email/render'
import { formatExpiry } from '@/lib/email/templates/invitation-email'
import { enqueueEmailsSql } from '@/lib/data/outbox/enqueue-emails-sql'
import { canInviterStillGrant, checkGrant, effectivePermissions, hasPermission, permissionLabel, PROJECT_LEVEL_RANK, type OrgPermission, type ProjectLevel, type Role } from '@/lib/permissions'
import { isValidEmail, normalizeEmail } from '@/lib/validations/common'
import { isWellFormedToken, MAX_INVITES_AT_ONCE } from '@/lib/validations/invitation'
import { recordAudit, recordAuditRowsSql, recordAuditSql, type AuditEntry } from './audit'
import { decodeCursor, encodeCursor } from './cursor'
import { isUuid } from './ids'
import { actorHolds, holdsPermissionSql } from './permission-sql'
import { consumeRateLimitUnitsSql, rateLimitKey, unitsWithinSql } from './rate-limits'
import { parseJsonColumn } from './json-column'
import { findLookalikeMembers } from './find-lookalike-members'
import { MAX_SENDS_PER_INVITATION, sendLimitRefusal, type SendLimitRefusal } from './invitation-send-limits'
import { inviterRightsSql, inviterStillGrants } from './invitations/inviter-rights'

const DAY_MS = 24 * 60 * 60_000

/** Invitations an organization may send per day, and one inviter per day (across organizations). */
export const INVITATIONS_PER_ORG_PER_DAY = 500
export const INVITATIONS_PER_INVITER_PER_DAY = 200
export const RESEND_COOLDOWN_MS = 60_000

export type InviteOutcome = 'invited' | 'already_member' | 'already_invited' | 'lookalike' | 'not_invited' | 'invalid' | 'rate_limited' | 'seat_limit'

/** One address of an invite; lookalikeOf is the member's address a lookalike one reads as. */
export interface InviteResult {
  email: string
  outcome: InviteOutcome
  invitationId?: string
  lookalikeOf?: string
}

export interface InvitationConfig {
  /** Public base URL of the app; the link is `${appUrl}/invitations/<token>`. */
  appUrl: string
  ttlDays: number
  now?: Date
}

interface ProjectGrantInput {
  projectId: string
  level: ProjectLevel
}

// ---------------------------------------------------------------------------------------------
// Tokens and small helpers

/** 32 random bytes, base64url: what goes into the link. Only its hash is stored. */
function newToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function invitationUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/+$/, '')}/invitations/${token}`
}

const addMs = (date: Date, ms: number) => new Date(date.getTime() + ms)

/**
 * Thrown inside a transaction to roll it back and hand `result` to the caller: a refusal
 * discovered after a write (the conditional update) must leave nothing behind.
 */
class Refusal<T> extends Error {
  constructor(readonly result: T) {
    super('refused')
  }
}

async function transactionOrRefusal<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await db.transaction((tx) => work(tx as unknown as Db))
  } catch (err) {
    if (err instanceof Refusal) return err.result as T
    throw err
  }
}

/** Postgres unique violation on the given constraint or index, however the driver wraps it. */
function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (let e = err as { code?: string; constraint?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505' && (e.constraint === constraint || e.message?.includes(constraint))) return true
  }
  return false
}

/** The caller's membership, read with the organization in the WHERE; a share lock keeps it from changing under us. */
async function readMembership(tx: Db, orgId: string, userId: string) {
  const [row] = await tx
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId)))
    .for('share')
  return row ?? null
}

/** The user's own level on each of these projects of the organization. */
async function readProjectLevels(tx: Db, orgId: string, userId: string, projectIds: string[]) {
  if (projectIds.length === 0) return new Map<string, ProjectLevel>()
  const rows = await tx
    .select({ projectId: projectMembers.projectId, level: projectMembers.level })
    .from(projectMembers)
    .where(and(eq(projectMembers.organizationId, orgId), eq(projectMembers.userId, userId), inArray(projectMembers.projectId, projectIds)))
  return new Map(rows.map((r) => [r.projectId, r.level]))
}

/**
 * Status tests written as literals, not parameters: statements are prepared (db/client.ts), and a
 * generic plan can use the partial indexes (status = 'pending', status in ('pending', 'expired'))
 * only when the statement itself says so.
 */
const isPendingSql = sql`${invitations.status} = 'pending'`
const isOpenSql = sql`${invitations.status} in ('pending', 'expired')`

/** Rows of a raw statement, on either driver. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows
}

/** An array as one text[] parameter. */
const textArray = (values: readonly string[]) => sql`${sql.param(values, memberships.permissions)}::text[]`

interface EmailContext {
  orgName: string
  inviterName: string | null
  inviterEmail: string
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: { name: string; level: ProjectLevel }[]
}

/**
 * Renders the invitation email once, with a random placeholder where the token goes: a batch of
 * 50 renders React once, and the statement that queues the emails puts each token in its copy.
 */
const renderedTemplates = new Map<string, Promise<RenderedTemplate>>()
/** Rendered templates kept: an admin inviting people one by one with the same offer renders React once a minute. */
const RENDER_CACHE_SIZE = 64

type RenderedTemplate = Awaited<ReturnType<typeof renderInvitationEmail>> & { placeholder: string }

async function renderInvitationTemplate(ctx: EmailContext, config: InvitationConfig, expiresAt: Date): Promise<RenderedTemplate> {
  const props = {
    orgName: ctx.orgName,
    inviterName: ctx.inviterName,
    inviterEmail: ctx.inviterEmail,
    role: ctx.role,
    permissionLabels: ctx.role === 'admin' ? [] : ctx.permissions.map(permissionLabel),
    projectGrants: ctx.projectGrants,
    expiresAt,
  }
  // The email shows the expiry to the minute, so copies rendered within a minute are identical;
  // the token goes in per address (see insertInvitationBatch), so the cached copy holds none.
  const key = JSON.stringify([config.appUrl, { ...props, expiresAt: formatExpiry(expiresAt) }])
  let rendered = renderedTemplates.get(key)
  if (rendered) {
    renderedTemplates.delete(key)
  } else {
    const placeholder = `TOKEN${randomBytes(16).toString('hex')}`
    rendered = renderInvitationEmail({ ...props, url: invitationUrl(config.appUrl, placeholder) }).then((r) => ({ ...r, placeholder }))
    rendered.catch(() => renderedTemplates.delete(key))
    if (renderedTemplates.size >= RENDER_CACHE_SIZE) renderedTemplates.delete(renderedTemplates.keys().next().value!)
  }
  renderedTemplates.set(key, rendered)
  return rendered
}

// ---------------------------------------------------------------------------------------------
// Create

export type CreateInvitationsResult =
  | { ok: true; results: InviteResult[]; emailIds: string[] }
  | { ok: false; error: 'forbidden' | 'escalation' | 'not_found'; message: string; field?: 'role' | 'permissions' | 'projectGrants' }

const FORBIDDEN_CREATE = 'You do not have permission to invite members.'

/**
 * The organization with what an invite needs to know about the actor and the projects; with
 * `lock`, the organization row is locked first (see lockOrganization).
 */
async function readOrganizationForInvite(
  tx: Db,
  { orgId, actorId, projectIds, emails, now, lock }: { orgId: string; actorId: string; projectIds: string[]; emails: string[]; now: Date; lock: boolean },
) {
  const [row] = rowsOf<{
    org_name: string
    seat_limit: number | null
    role: Role | null
    permissions: string[] | null
    inviter_name: string | null
    inviter_email: string | null
    projects: { id: string; name: string; level: ProjectLevel | null }[]
    stale: string[]
  }>(
    await tx.execute(sql`
      select o.name as org_name, o.seat_limit, m.role, m.permissions, u.name as inviter_name, u.email as inviter_email,
        (select coalesce(json_agg(json_build_object('id', p.id, 'name', p.name, 'level', pm.level)), '[]'::json)
          from projects p
          left join project_members pm on pm.project_id = p.id and pm.organization_id = o.id and pm.user_id = ${actorId}
          where p.organization_id = o.id and p.id = any(${textArray(projectIds)}::uuid[])) as projects,
        (select coalesce(json_agg(i.id), '[]'::json) from invitations i
          where i.organization_id = o.id and i.status = 'pending' and i.expires_at <= ${now.toISOString()}::timestamptz
            and i.email = any(${textArray(emails)})) as stale
      from organizations o
      left join memberships m on m.organization_id = o.id and m.user_id = ${actorId}
      left join users u on u.id = m.user_id
      where o.id = ${orgId}
      ${lock ? sql`for no key update of o` : sql``}`),
  )
  return row ? { ...row, projects: parseJsonColumn<typeof row.projects>(row.projects), stale: parseJsonColumn<string[]>(row.stale) } : null
}

interface InviteBatch {
  orgId: string
  actorId: string
  /** The actor's membership as the decision to invite saw it; nothing is written if it has changed since. */
  actor: { role: Role; permissions: string[] }
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: ProjectGrantInput[]
  /** Valid, normalized, distinct; seats and rate limits go to the first ones. */
  emails: string[]
  now: Date
  expiresAt: Date
  email: { subject: string; html: string; text: string; placeholder: string }
  /**
   * Run without the organization lock: the statement share-locks the organization row and writes
   * nothing unless the organization has no seat limit (is_unlocked_ok), so a limit set meanwhile
   * sends the invite down the locked path.
   */
  isUnlocked: boolean
}

interface InviteBatchRow {
  email: string
  is_member: boolean
  pending_id: string | null
  rank: number | null
  free: number | null
  allowed: number
  invitation_id: string | null
  email_id: string | null
  is_actor_unchanged: boolean
  is_unlocked_ok: boolean
}

/**
 * One statement for the whole batch, run under the organization lock (or, for an organization
 * without a seat limit, alone: see InviteBatch.isUnlocked): classifies every address
 * (member, already invited, new), gives seats and then rate-limit units to the first new ones,
 * and writes their invitations, project grants, emails and audit events. Its snapshot is taken
 * after the lock, so the seat count and the classification are current until commit.
 */
async function insertInvitationBatch(tx: Db, b: InviteBatch): Promise<InviteBatchRow[]> {
  const tokens = b.emails.map(() => newToken())
  const input = b.emails.map((email, i) => ({ email, token: tokens[i], token_hash: hashToken(tokens[i]), email_id: randomUUID(), ord: i + 1 }))
  const grants = b.projectGrants.map((g) => ({ project_id: g.projectId, level: g.level }))
  const auditData = { role: b.role, permissions: b.permissions, projectGrants: b.projectGrants }
  const units = sql`(select count(*) from seated)`
  const now = sql`${b.now.toISOString()}::timestamptz`
  return rowsOf<InviteBatchRow>(
    await tx.execute(sql`
      with input as (
        select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as i(email text, token text, token_hash text, email_id uuid, ord int)
      ),
      actor as (
        select exists (select 1 from memberships
          where organization_id = ${b.orgId} and user_id = ${b.actorId}
            and role = ${b.actor.role} and permissions = ${textArray(b.actor.permissions)}) as is_unchanged
      ),
      unlocked as (
        ${b.isUnlocked ? sql`select o.seat_limit is null as is_ok from organizations o where o.id = ${b.orgId} for share` : sql`select true as is_ok`}
      ),
      classified as (
        select i.*,
          -- The user by address first (one row by its unique index), then their membership: written as a
          -- join, the planner hashed every membership of the organization for each batch.
          exists (select 1 from memberships m where m.organization_id = ${b.orgId} and m.user_id = (select u.id from users u where u.email = i.email)) as is_member,
          (select p.id from invitations p where p.organization_id = ${b.orgId} and p.status = 'pending' and p.email = i.email) as pending_id
        from input i
      ),
      candidates as (
        select c.*, row_number() over (order by c.ord) as rank
        from classified c
        where not c.is_member and c.pending_id is null and (select is_unchanged from actor) and coalesce((select is_ok from unlocked), false)
      ),
      seats as (
        select case when o.seat_limit is not null then greatest(0, o.seat_limit
          - (select count(*) from memberships where organization_id = o.id)
          - (select count(*) from invitations where organization_id = o.id and status = 'pending' and expires_at > ${now}))::int end as free
        from organizations o where o.id = ${b.orgId}
      ),
      seated as (select c.* from candidates c where c.rank <= coalesce((select free from seats), c.rank)),
      org_limit as (${consumeRateLimitUnitsSql({ key: rateLimitKey('invitations:org', b.orgId), windowMs: DAY_MS, now: b.now, units })}),
      inviter_limit as (${consumeRateLimitUnitsSql({ key: rateLimitKey('invitations:inviter', b.actorId), windowMs: DAY_MS, now: b.now, units })}),
      allowed as (
        select least(
          ${unitsWithinSql(units, sql`(select count from org_limit)`, INVITATIONS_PER_ORG_PER_DAY)},
          ${unitsWithinSql(units, sql`(select count from inviter_limit)`, INVITATIONS_PER_INVITER_PER_DAY)})::int as n
      ),
      inserted as (
        insert into invitations (organization_id, email, role, permissions, invited_by, token_hash, expires_at, last_sent_at, created_at, last_email_id)
        select ${b.orgId}::uuid, s.email, ${b.role}, ${textArray(b.permissions)}, ${b.actorId}::uuid, s.token_hash,
          ${b.expiresAt.toISOString()}::timestamptz, ${now}, ${now}, s.email_id
        from seated s where s.rank <= (select n from allowed)
        order by s.ord
        -- A concurrent invite of the same address wins the partial unique index; this one then reports "already invited".
        on conflict (organization_id, email) where status = 'pending' do nothing
        returning id, email, last_email_id
      ),
      granted as (
        insert into invitation_project_grants (invitation_id, project_id, level)
        select ins.id, g.project_id, g.level
        from inserted ins cross join jsonb_to_recordset(${JSON.stringify(grants)}::jsonb) as g(project_id uuid, level project_level)
      ),
      queued as (${enqueueEmailsSql(sql`
        select ins.last_email_id, 'invitation', ins.email, ${b.email.subject},
          replace(${b.email.html}, ${b.email.placeholder}, i.token), replace(${b.email.text}, ${b.email.placeholder}, i.token),
          'invitation/' || ins.id || '/1',
          -- The emails of one invite go to the provider in one request (at most 50 addresses, within its batch size).
          first_value(ins.last_email_id) over (order by i.ord)
        from inserted ins join input i on i.email = ins.email`)}),
      audited as (${recordAuditSql(sql`
        select ${b.orgId}::uuid, ${b.actorId}::uuid, 'invitation.created', 'invitation', ins.id::text,
          ${JSON.stringify(auditData)}::jsonb || jsonb_build_object('email', ins.email)
        from inserted ins`)})
      select c.email, c.is_member, c.pending_id, ca.rank::int as rank, (select free from seats) as free, (select n from allowed) as allowed,
        ins.id as invitation_id, ins.last_email_id as email_id, (select is_unchanged from actor) as is_actor_unchanged,
        coalesce((select is_ok from unlocked), false) as is_unlocked_ok
      from classified c
      left join candidates ca on ca.email = c.email
      left join inserted ins on ins.email = c.email
      order by c.ord`),
  )
}

/**
 * Invites each address (at most 50). The actor must hold members:invite and may offer only
 * what it holds (no escalation, owners exempt); the projects must belong to the organization.
 * Each address is reported: invited, already a member, already invited, a lookalike of a member's
 * address (not invited), invalid, over the seat limit or rate limited. A caller without
 * members:read learns nothing of who is a member or invited: those rows say only "not invited"
 * (issue 15). Under the organization lock, one statement writes the invitations,
 * project grants, emails and audit events of the whole batch (four statements in all, whatever
 * the number of addresses); the returned email ids are for immediate delivery after the response.
 */
export async function createInvitations(
  db: Db,
  input: {
    orgId: string
    actorId: string
    emails: string[]
    role: 'admin' | 'member'
    permissions: string[]
    projectGrants: ProjectGrantInput[]
  },
  config: InvitationConfig,
): Promise<CreateInvitationsResult> {
  const now = config.now ?? new Date()
  const { orgId, actorId, role } = input
  const permissions = [...new Set(input.permissions)]
  const projectGrants = mergeGrants(input.projectGrants)
  const emails = [...new Set(input.emails.map(normalizeEmail))]
  if (emails.length > MAX_INVITES_AT_ONCE) throw new Error(`At most ${MAX_INVITES_AT_ONCE} addresses can be invited at once`)
  if (!isUuid(orgId) || !isUuid(actorId)) return { ok: false, error: 'forbidden', message: FORBIDDEN_CREATE }
  if (projectGrants.some((g) => !isUuid(g.projectId))) return { ok: false, error: 'not_found', message: 'One of the projects was not found.' }
  // Read before the caller's check, but answers nothing to a caller without members:invite.
  const lookalikes = await findLookalikeMembers(db, { orgId, actorId, emails: emails.filter((e) => isValidEmail(e)) })
  const valid = emails.filter((e) => isValidEmail(e) && !lookalikes.has(e))
  const projectIds = projectGrants.map((g) => g.projectId)
  const expiresAt = addMs(now, config.ttlDays * DAY_MS)
  const invalid = new Map(emails.filter((e) => !isValidEmail(e)).map((e) => [e, { outcome: 'invalid' as const }]))
  const reported = (rows: InviteBatchRow[], actor: { role: Role; permissions: readonly string[] }): CreateInvitationsResult => {
    const outcomes = new Map<string, Omit<InviteResult, 'email'>>([
      ...invalid,
      ...[...lookalikes].map(([email, lookalikeOf]) => [email, { outcome: 'lookalike' as const, lookalikeOf }] as const),
      ...rows.map((r) => [r.email, inviteOutcome(r)] as const),
    ])
    const canSeeMembers = hasPermission(actor, 'members:read')
    const results = emails.map((email): InviteResult => {
      const row = outcomes.get(email)!
      return !canSeeMembers && REVEALS_MEMBERS.has(row.outcome) ? { email, outcome: 'not_invited' } : { email, ...row }
    })
    return { ok: true, results, emailIds: rows.flatMap((r) => (r.email_id ? [r.email_id] : [])) }
  }

  /** The decision on what the organization row and the actor's membership say; the batch to write, or the refusal. */
  async function decide(org: Awaited<ReturnType<typeof readOrganizationForInvite>>) {
    if (!org) return { refusal: { ok: false, error: 'forbidden', message: FORBIDDEN_CREATE } as const }
    const actor = org.role ? { role: org.role, permissions: org.permissions ?? [] } : null
    if (!actor || !hasPermission(actor, 'members:invite')) return { refusal: { ok: false, error: 'forbidden', message: FORBIDDEN_CREATE } as const }
    if (org.projects.length !== projectIds.length) return { refusal: { ok: false, error: 'not_found', message: 'One of the projects was not found.' } as const }
    const grantorLevels = new Map(org.projects.filter((p) => p.level).map((p) => [p.id, p.level as ProjectLevel]))
    const check = checkGrant({ role: actor.role, permissions: actor.permissions, projectLevels: grantorLevels }, { role, permissions, projectGrants })
    if (!check.ok) return { refusal: { ok: false, error: 'escalation', field: check.field, message: check.message } as const }
    if (!valid.length) return { refusal: reported([], actor) }
    const names = new Map(org.projects.map((p) => [p.id, p.name]))
    const email = await renderInvitationTemplate(
      {
        orgName: org.org_name,
        inviterName: org.inviter_name,
        inviterEmail: org.inviter_email ?? '',
        role,
        permissions,
        projectGrants: projectGrants.map((g) => ({ name: names.get(g.projectId) ?? '', level: g.level })),
      },
      config,
      expiresAt,
    )
    return { batch: { orgId, actorId, actor, role, permissions, projectGrants, emails: valid, now, expiresAt, email } }
  }

  const read = { orgId, actorId, projectIds, emails: valid, now }
  // Without a seat limit nothing needs the organization lock: invites of one organization run side
  // by side, each one statement (the partial unique index settles two invites of one address).
  const unlocked = await readOrganizationForInvite(db, { ...read, lock: false })
  if (unlocked && unlocked.seat_limit === null && unlocked.stale.length === 0) {
    const decision = await decide(unlocked)
    if (decision.refusal) return decision.refusal
    const rows = await insertInvitationBatch(db, { ...decision.batch, isUnlocked: true })
    // Otherwise the actor's membership changed or a seat limit was set since the read: nothing was written.
    if (rows[0].is_actor_unchanged && rows[0].is_unlocked_ok) return reported(rows, decision.batch.actor)
  }

  return transactionOrRefusal(db, async (tx): Promise<CreateInvitationsResult> => {
    // Taken first, as by every change to seats (see lockOrganization). What this statement reads
    // besides the organization row may predate the lock: the batch statement below checks the
    // actor's membership again and reads seats and addresses afresh.
    const org = await readOrganizationForInvite(tx, { ...read, lock: true })
    const decision = await decide(org)
    if (decision.refusal) return decision.refusal
    // Pending invitations past their expiry give way to new ones (rare: the sweep usually got there first).
    if (org!.stale.length) await markExpired(tx, and(inArray(invitations.id, org!.stale), eq(invitations.organizationId, orgId)), now)
    const rows = await insertInvitationBatch(tx, { ...decision.batch, isUnlocked: false })
    if (!rows[0].is_actor_unchanged) {
      // The actor's membership changed just before the lock was granted: decide again on what it is
      // now, and leave nothing behind (stale invitations included) if that is a refusal.
      const actor = await readMembership(tx, orgId, actorId)
      const again = await decide(actor && org ? { ...org, role: actor.role, permissions: actor.permissions } : null)
      if (again.refusal) throw new Refusal<CreateInvitationsResult>(again.refusal)
      const retried = await insertInvitationBatch(tx, { ...again.batch, isUnlocked: false })
      if (!retried[0].is_actor_unchanged) throw new Error('membership changed under the organization lock')
      return reported(retried, again.batch.actor)
    }
    return reported(rows, decision.batch.actor)
  })
}

/** Outcomes that tell whether an address belongs to a member or an invitee: only for callers holding members:read. */
const REVEALS_MEMBERS = new Set<InviteOutcome>(['already_member', 'already_invited', 'lookalike'])

function inviteOutcome(r: InviteBatchRow): { outcome: InviteOutcome; invitationId?: string } {
  if (r.is_member) return { outcome: 'already_member' }
  if (r.pending_id) return { outcome: 'already_invited', invitationId: r.pending_id }
  if (r.invitation_id) return { outcome: 'invited', invitationId: r.invitation_id }
  if (r.rank !== null && r.free !== null && r.rank > r.free) return { outcome: 'seat_limit' }
  if (r.rank !== null && r.rank > r.allowed) return { outcome: 'rate_limited' }
  return { outcome: 'already_invited' }
}

function mergeGrants(grants: ProjectGrantInput[]): ProjectGrantInput[] {
  const byProject = new Map<string, ProjectLevel>()
  const rank = PROJECT_LEVEL_RANK as Record<string, number>
  for (const g of grants) {
    const id = g.projectId.toLowerCase()
    const seen = byProject.get(id)
    if (!seen || (rank[g.level] ?? 0) > (rank[seen] ?? 0)) byProject.set(id, g.level)
  }
  return [...byProject].map(([projectId, level]) => ({ projectId, level }))
}

/** Marks pending invitations past their expiry as expired, with an audit event each, in one statement; returns how many. */
async function markExpired(tx: Db, where: SQL | undefined, now: Date): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await tx.execute(sql`
      with expired as (
        update ${invitations} set status = 'expired'
        where ${and(where, isPendingSql, lte(invitations.expiresAt, now))}
        returning id, organization_id, email
      ),
      audited as (${recordAuditSql(sql`
        select organization_id, null::uuid, 'invitation.expired', 'invitation', id::text, jsonb_build_object('email', email) from expired`)})
      select count(*)::int as n from expired`),
  )
  return row.n
}

// ---------------------------------------------------------------------------------------------
// The Members tab

export interface PendingInvitationRow {
  id: string
  email: string
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: { projectId: string; projectName: string; level: ProjectLevel }[]
  invitedBy: { name: string | null; email: string } | null
  createdAt: Date
  lastSentAt: Date
  expiresAt: Date
  sendCount: number
  /** Expired first; then an inviter who can no longer grant the offer (acceptInvitation would refuse it); then a failed email. */
  state: 'pending' | 'expired' | 'inviter_cannot_grant' | 'delivery_failed'
  deliveryError: string | null
}

/** The Members tab's filter (`?state=`): pending, unexpired and delivered (or on its way); past expiry; email failed. */
export type InvitationStateFilter = 'pending' | 'expired' | 'delivery_failed'

function stateFilterSql(state: InvitationStateFilter | null | undefined, at: string): SQL | undefined {
  const isExpired = sql`(${invitations.status} = 'expired' or ${invitations.expiresAt} <= ${at}::timestamptz)`
  if (state === 'expired') return isExpired
  if (state === 'pending') return sql`not ${isExpired} and ${emailOutbox.status} is distinct from 'failed'`
  if (state === 'delivery_failed') return sql`not ${isExpired} and ${emailOutbox.status} = 'failed'`
  return undefined
}

const MAX_PAGE = 100

interface GrantJson {
  projectId: string
  projectName: string
  level: ProjectLevel
}

/**
 * The organization's open invitations (pending, and expired ones, which can be resent or revoked),
 * newest first, keyset-paginated, with how many pending ones hold a seat; null when the actor
 * lacks members:read. One query (the caller's check, each row's project grants and the seat count
 * folded in); a second only when the page comes back empty, to tell "none" from "not allowed".
 */
export async function listPendingInvitations(
  db: Db,
  params: { orgId: string; actorId: string; limit?: number; cursor?: string | null; state?: InvitationStateFilter | null; now?: Date },
): Promise<{ items: PendingInvitationRow[]; nextCursor: string | null; heldSeats: number } | null> {
  const { orgId, actorId } = params
  const now = params.now ?? new Date()
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(params.limit ?? 50)))
  if (!isUuid(orgId) || !isUuid(actorId)) return null
  const at = now.toISOString()
  const heldSeats = sql<number>`(
    select count(*) from invitations held
    where held.organization_id = ${orgId} and held.status = 'pending' and held.expires_at > ${at}::timestamptz
  )`.mapWith(Number)

  const after = decodeCursor(params.cursor)
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      permissions: invitations.permissions,
      status: invitations.status,
      createdAt: invitations.createdAt,
      lastSentAt: invitations.lastSentAt,
      expiresAt: invitations.expiresAt,
      sendCount: invitations.sendCount,
      inviterName: users.name,
      inviterEmail: users.email,
      emailStatus: emailOutbox.status,
      emailError: emailOutbox.lastError,
      grants: sql<unknown>`(
        select coalesce(json_agg(json_build_object('projectId', p.id, 'projectName', p.name, 'level', g.level) order by p.name, p.id), '[]'::json)
        from invitation_project_grants g
        join projects p on p.id = g.project_id and p.organization_id = ${orgId}
        where g.invitation_id = ${invitations.id}
      )`,
      inviterRights: inviterRightsSql({ id: sql`${invitations.id}`, orgId: sql`${invitations.organizationId}`, invitedBy: sql`${invitations.invitedBy}` }),
      heldSeats,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .leftJoin(emailOutbox, eq(emailOutbox.id, invitations.lastEmailId))
    .where(
      and(
        eq(invitations.organizationId, orgId),
        isOpenSql,
        stateFilterSql(params.state, at),
        actorHolds(orgId, actorId, 'members:read'),
        after ? sql`(${invitations.createdAt}, ${invitations.id}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(limit + 1)

  if (rows.length === 0) {
    const [actor] = await db
      .select({ role: memberships.role, permissions: memberships.permissions, heldSeats })
      .from(memberships)
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    if (!actor || !hasPermission(actor, 'members:read')) return null
    return { items: [], nextCursor: null, heldSeats: actor.heldSeats }
  }

  const page = rows.slice(0, limit)
  const items = page.map((r): PendingInvitationRow => {
    const isExpired = r.status === 'expired' || r.expiresAt <= now
    const isFailed = r.emailStatus === 'failed'
    return {
      id: r.id,
      email: r.email,
      role: r.role,
      permissions: r.permissions,
      projectGrants: parseJsonColumn<GrantJson[]>(r.grants),
      invitedBy: r.inviterEmail ? { name: r.inviterName, email: r.inviterEmail } : null,
      createdAt: r.createdAt,
      lastSentAt: r.lastSentAt,
      expiresAt: r.expiresAt,
      sendCount: r.sendCount,
      state: isExpired
        ? 'expired'
        : !inviterStillGrants(r.inviterRights, r)
          ? 'inviter_cannot_grant'
          : isFailed
            ? 'delivery_failed'
            : 'pending',
      deliveryError: isFailed ? (r.emailError ?? 'The email could not be delivered.') : null,
    }
  })
  const last = page[page.length - 1]
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null, heldSeats: rows[0].heldSeats }
}

// ---------------------------------------------------------------------------------------------
// Resend and revoke

export type ResendResult =
  | { ok: true; emailId: string }
  | { ok: false; error: 'not_found' | 'forbidden' | 'not_pending' | 'cooldown' | 'already_member' | 'seat_limit'; message: string; retryAfterMs?: number }
  | SendLimitRefusal

const FORBIDDEN_INVITE = 'You do not have permission to manage invitations.'
const NOT_FOUND_INVITATION = 'This invitation was not found.'
const NOT_PENDING = 'This invitation is no longer pending.'
const ANOTHER_PENDING = 'Another invitation to this address is already pending.'

/** Why the conditional update of a resend would not apply to an invitation in this state (null: it would). */
function resendRefusal(
  state: { status: string; lastSentAt: Date; hasOtherPending: boolean },
  now: Date,
  cooldownMs: number,
): Extract<ResendResult, { ok: false }> | null {
  const isOpen = state.status === 'pending' || state.status === 'expired'
  const retryAfterMs = state.lastSentAt.getTime() + cooldownMs - now.getTime()
  if (isOpen && retryAfterMs > 0) {
    return { ok: false, error: 'cooldown', message: `You can resend this invitation in ${Math.ceil(retryAfterMs / 1000)} seconds.`, retryAfterMs }
  }
  if (state.status === 'expired' && state.hasOtherPending) return { ok: false, error: 'not_pending', message: ANOTHER_PENDING }
  if (!isOpen) return { ok: false, error: 'not_pending', message: NOT_PENDING }
  return null
}

/**
 * Takes the organization lock (see lockOrganization), then the invitation's row lock, in that
 * order, as accept does: what the email will say cannot change until commit. Null when the
 * organization does not exist.
 */
async function lockOrganizationAndInvitation(tx: Db, orgId: string, invitationId: string) {
  const [row] = rowsOf<{ seat_limit: number | null; invitation_id: string | null }>(
    await tx.execute(sql`
      select o.seat_limit, i.id as invitation_id
      from (select id, seat_limit from organizations where id = ${orgId} for no key update) as o
      left join lateral (select id from invitations where id = ${invitationId} and organization_id = o.id for update) as i on true`),
  )
  return row ?? null
}

/**
 * Sends a pending or expired invitation again with a new token (the old link stops working) and
 * a new expiry, at most once per cooldown. Needs members:invite. The invitation keeps its inviter,
 * whose rights are checked again at accept. A resend is an invitation email like any other
 * (issue 15, item 2): it consumes one unit of the organization's and the resending member's daily
 * limits, in the statement that renews it, and one invitation is sent at most
 * MAX_SENDS_PER_INVITATION times. Five statements: the locks, one read, one write.
 */
export async function resendInvitation(
  db: Db,
  params: { orgId: string; actorId: string; invitationId: string },
  config: InvitationConfig & { cooldownMs?: number },
): Promise<ResendResult> {
  const { orgId, actorId, invitationId } = params
  const now = config.now ?? new Date()
  const cooldownMs = config.cooldownMs ?? RESEND_COOLDOWN_MS
  if (!isUuid(orgId) || !isUuid(actorId)) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
  if (!isUuid(invitationId)) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
  const windowStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS
  const resetsAt = new Date(windowStart + DAY_MS)
  const orgKey = rateLimitKey('invitations:org', orgId)
  const inviterKey = rateLimitKey('invitations:inviter', actorId)
  const used = (key: string) => sql`coalesce((select r.count from rate_limits r where r.key = ${key} and r.window_start = ${new Date(windowStart).toISOString()}::timestamptz), 0)::int`

  try {
    return await transactionOrRefusal(db, async (tx): Promise<ResendResult> => {
      const org = await lockOrganizationAndInvitation(tx, orgId, invitationId)
      if (!org) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
      // Read after the locks were granted, so it is current until commit.
      const [current] = rowsOf<{
        role: Role | null
        permissions: string[] | null
        id: string | null
        email: string
        status: string
        expires_at_ms: number
        last_sent_at_ms: number
        send_count: number
        org_sent: number
        inviter_sent: number
        offered_role: 'admin' | 'member'
        offered_permissions: string[]
        is_member: boolean
        has_other_pending: boolean
        seats_used: number | null
        org_name: string
        inviter_name: string | null
        inviter_email: string | null
        grants: { name: string; level: ProjectLevel }[]
      }>(
        await tx.execute(sql`
          select m.role, m.permissions, i.id, i.email, i.status, i.role as offered_role, i.permissions as offered_permissions,
            (extract(epoch from i.expires_at) * 1000)::float8 as expires_at_ms,
            (extract(epoch from i.last_sent_at) * 1000)::float8 as last_sent_at_ms,
            i.send_count, ${used(orgKey)} as org_sent, ${used(inviterKey)} as inviter_sent,
            exists (select 1 from memberships mm
              where mm.organization_id = o.id and mm.user_id = (select mu.id from users mu where mu.email = i.email)) as is_member,
            exists (select 1 from invitations other
              where other.organization_id = o.id and other.email = i.email and other.status = 'pending' and other.id <> i.id) as has_other_pending,
            case when o.seat_limit is not null then
              (select count(*) from memberships where organization_id = o.id)::int
              + (select count(*) from invitations where organization_id = o.id and status = 'pending' and expires_at > ${now.toISOString()}::timestamptz)::int
            end as seats_used,
            o.name as org_name, inviter.name as inviter_name, inviter.email as inviter_email,
            (select coalesce(json_agg(json_build_object('name', p.name, 'level', g.level) order by p.name), '[]'::json)
              from invitation_project_grants g join projects p on p.id = g.project_id and p.organization_id = o.id
              where g.invitation_id = i.id) as grants
          from organizations o
          left join memberships m on m.organization_id = o.id and m.user_id = ${actorId}
          left join invitations i on i.id = ${invitationId} and i.organization_id = o.id
          -- An inviter whose account is gone is named by whoever resends (accept will still refuse it).
          left join users inviter on inviter.id = coalesce(i.invited_by, ${actorId})
          where o.id = ${orgId}`),
      )
      const actor = current.role ? { role: current.role, permissions: current.permissions ?? [] } : null
      if (!actor || !hasPermission(actor, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
      if (!current.id || !org.invitation_id) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
      if (current.is_member) return { ok: false, error: 'already_member', message: `${current.email} is already a member of this organization.` }
      // An expired invitation gave up its seat; renewing it takes one again.
      const holdsSeat = current.status === 'pending' && current.expires_at_ms > now.getTime()
      if (org.seat_limit !== null && !holdsSeat && (current.seats_used ?? 0) + 1 > org.seat_limit) {
        return { ok: false, error: 'seat_limit', message: 'This organization has no free seats. Remove a member or revoke an invitation first.' }
      }
      const state = { status: current.status, lastSentAt: new Date(current.last_sent_at_ms), hasOtherPending: current.has_other_pending }
      const refusal = resendRefusal(state, now, cooldownMs)
      if (refusal) return refusal
      const overLimit = (counts: { send_count: number; org_sent: number; inviter_sent: number }) => {
        const at = { resetsAt, now, email: current.email }
        if (counts.send_count >= MAX_SENDS_PER_INVITATION) return sendLimitRefusal('invitation', { ...at, perDay: 0 })
        if (counts.org_sent >= INVITATIONS_PER_ORG_PER_DAY) return sendLimitRefusal('organization', { ...at, perDay: INVITATIONS_PER_ORG_PER_DAY })
        if (counts.inviter_sent >= INVITATIONS_PER_INVITER_PER_DAY) return sendLimitRefusal('inviter', { ...at, perDay: INVITATIONS_PER_INVITER_PER_DAY })
        return null
      }
      const limited = overLimit(current)
      if (limited) return limited

      const token = newToken()
      const expiresAt = addMs(now, config.ttlDays * DAY_MS)
      const template = await renderInvitationTemplate(
        {
          orgName: current.org_name,
          inviterName: current.inviter_name,
          inviterEmail: current.inviter_email ?? '',
          role: current.offered_role,
          permissions: current.offered_permissions,
          projectGrants: parseJsonColumn<{ name: string; level: ProjectLevel }[]>(current.grants),
        },
        config,
        expiresAt,
      )
      const emailId = randomUUID()
      const one = sql`1`
      const [written] = rowsOf<{ id: string | null; send_count: number; org_count: number; inviter_count: number }>(
        await tx.execute(sql`
          with org_limit as (${consumeRateLimitUnitsSql({ key: orgKey, windowMs: DAY_MS, now, units: one })}),
          inviter_limit as (${consumeRateLimitUnitsSql({ key: inviterKey, windowMs: DAY_MS, now, units: one })}),
          renewed as (
            update invitations set token_hash = ${hashToken(token)}, expires_at = ${expiresAt.toISOString()}::timestamptz,
              last_sent_at = ${now.toISOString()}::timestamptz, send_count = send_count + 1, status = 'pending', last_email_id = ${emailId}::uuid
            where id = ${invitationId} and organization_id = ${orgId} and status in ('pending', 'expired')
              and last_sent_at <= ${addMs(now, -cooldownMs).toISOString()}::timestamptz
              and send_count < ${MAX_SENDS_PER_INVITATION}
              -- The counters as this statement left them: another organization's resend by the same
              -- member may have counted since the read (the organization lock does not cover it).
              and (select count from org_limit) <= ${INVITATIONS_PER_ORG_PER_DAY}
              and (select count from inviter_limit) <= ${INVITATIONS_PER_INVITER_PER_DAY}
              and not exists (select 1 from invitations as other
                where other.organization_id = ${orgId} and other.email = invitations.email and other.status = 'pending' and other.id <> invitations.id)
            returning id, email, send_count
          ),
          queued as (${enqueueEmailsSql(sql`
            select ${emailId}::uuid, 'invitation', email, ${template.subject},
              ${template.html.replaceAll(template.placeholder, token)}, ${template.text.replaceAll(template.placeholder, token)},
              'invitation/' || id || '/' || send_count, null::uuid
            from renewed`)}),
          audited as (${recordAuditSql(sql`
            select ${orgId}::uuid, ${actorId}::uuid, 'invitation.resent', 'invitation', id::text, jsonb_build_object('email', email, 'sendCount', send_count)
            from renewed`)})
          select (select id from renewed) as id, ${current.send_count}::int as send_count,
            (select count from org_limit) - 1 as org_count, (select count from inviter_limit) - 1 as inviter_count`),
      )
      if (!written.id) {
        // Refused by a counter that moved since the read: roll back this statement's units too.
        const late = overLimit({ send_count: written.send_count, org_sent: written.org_count, inviter_sent: written.inviter_count })
        if (late) throw new Refusal<ResendResult>(late)
        throw new Error('the invitation changed under its row lock')
      }
      return { ok: true, emailId }
    })
  } catch (err) {
    // Renewing an expired invitation raced a new invitation to the same address.
    if (isUniqueViolation(err, 'invitations_one_pending_per_email')) return { ok: false, error: 'not_pending', message: ANOTHER_PENDING }
    throw err
  }
}

export type RevokeResult = { ok: true } | { ok: false; error: 'not_found' | 'forbidden' | 'not_pending'; message: string }

/**
 * Revokes a pending or expired invitation; answered ones never move. Needs members:invite. One
 * statement, so its own transaction: the actor's membership under a share lock, the conditional
 * update, only if the actor holds the permission, and its audit event.
 */
export async function revokeInvitation(db: Db, params: { orgId: string; actorId: string; invitationId: string }): Promise<RevokeResult> {
  const { orgId, actorId, invitationId } = params
  if (!isUuid(orgId) || !isUuid(actorId)) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
  if (!isUuid(invitationId)) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }

  const [row] = rowsOf<{ role: Role | null; permissions: string[] | null; revoked_id: string | null; is_found: boolean }>(
    await db.execute(sql`
      with actor as (
        select role, permissions from memberships where organization_id = ${orgId} and user_id = ${actorId} for share
      ),
      revoked as (
        update invitations set status = 'revoked'
        where id = ${invitationId} and organization_id = ${orgId} and status in ('pending', 'expired')
          and exists (select 1 from actor where ${holdsPermissionSql('actor', 'members:invite')})
        returning id, email
      ),
      audited as (${recordAuditSql(sql`
        select ${orgId}::uuid, ${actorId}::uuid, 'invitation.revoked', 'invitation', id::text, jsonb_build_object('email', email) from revoked`)})
      select (select role from actor) as role, (select permissions from actor) as permissions, (select id from revoked) as revoked_id,
        exists (select 1 from invitations where id = ${invitationId} and organization_id = ${orgId}) as is_found`),
  )
  const actor = row.role ? { role: row.role, permissions: row.permissions ?? [] } : null
  if (!actor || !hasPermission(actor, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
  if (row.revoked_id) return { ok: true }
  return row.is_found ? { ok: false, error: 'not_pending', message: NOT_PENDING } : { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
}

// ---------------------------------------------------------------------------------------------
// The invitee's side

export interface InvitationView {
  id: string
  organization: { id: string; name: string; slug: string }
  email: string
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: { projectName: string; level: ProjectLevel }[]
  inviter: { name: string | null; email: string } | null
  status: 'pending' | 'expired' | 'accepted' | 'declined' | 'revoked'
  expiresAt: Date
  hasAccount: boolean
  /** False when the inviter can no longer grant what is offered: acceptInvitation would refuse it. */
  inviterCanGrant: boolean
}

/**
 * What the emailed link shows. null for an unknown or malformed token alike (a malformed one
 * never reaches the database), so guessing learns nothing. Reading never changes anything.
 */
export async function getInvitationByToken(db: Db, token: string, now: Date = new Date()): Promise<InvitationView | null> {
  // A malformed token costs the same lookup as an unknown one (its hash matches nothing), so the
  // page answers both alike in status, body and time: guessing learns nothing, not even the format.
  const isWellFormed = isWellFormedToken(token)
  const lookupHash = hashToken(isWellFormed ? token : `malformed:${String(token).slice(0, 512)}`)
  const [row] = await db
    .select({
      id: invitations.id,
      orgId: organizations.id,
      orgName: organizations.name,
      orgSlug: organizations.slug,
      email: invitations.email,
      role: invitations.role,
      permissions: invitations.permissions,
      status: invitations.status,
      expiresAt: invitations.expiresAt,
      inviterName: users.name,
      inviterEmail: users.email,
      hasAccount: sql<boolean>`exists (select 1 from users as invitee where invitee.email = "invitations"."email")`,
      inviterRights: inviterRightsSql({ id: sql`${invitations.id}`, orgId: sql`${invitations.organizationId}`, invitedBy: sql`${invitations.invitedBy}` }),
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, lookupHash))
  if (!row || !isWellFormed) return null
  const grants = await db
    .select({ projectName: projects.name, level: invitationProjectGrants.level })
    .from(invitationProjectGrants)
    .innerJoin(projects, and(eq(projects.id, invitationProjectGrants.projectId), eq(projects.organizationId, row.orgId)))
    .where(eq(invitationProjectGrants.invitationId, row.id))
    .orderBy(asc(projects.name))
  return {
    id: row.id,
    organization: { id: row.orgId, name: row.orgName, slug: row.orgSlug },
    email: row.email,
    role: row.role,
    permissions: row.permissions,
    projectGrants: grants,
    inviter: row.inviterEmail ? { name: row.inviterName, email: row.inviterEmail } : null,
    status: row.status === 'pending' && row.expiresAt <= now ? 'expired' : row.status,
    expiresAt: row.expiresAt,
    hasAccount: Boolean(row.hasAccount),
    inviterCanGrant: inviterStillGrants(row.inviterRights, row),
  }
}

export type RespondError = 'not_found' | 'expired' | 'revoked' | 'already_answered' | 'not_allowed' | 'already_member' | 'seat_limit'
type RespondFailure = { ok: false; error: RespondError; message: string }

const RESPOND_NOT_FOUND: RespondFailure = { ok: false, error: 'not_found', message: 'This invitation was not found.' }
export const SEAT_LIMIT_MESSAGE = 'This organization has no free seats. Ask an admin to free a seat.'
const NO_FREE_SEAT: RespondFailure = { ok: false, error: 'seat_limit', message: SEAT_LIMIT_MESSAGE }

/** Tells the inviter, in the statement of the answer, if the inviter still has an account: the body of a data-modifying CTE. */
function notifyInviterSql({ inviterId, orgId, kind, email }: { inviterId: string | null; orgId: string; kind: 'invitation.accepted' | 'invitation.declined'; email: string }): SQL {
  return sql`
    insert into ${notifications} (user_id, organization_id, kind, data)
    select ${users.id}, ${organizations.id}, ${kind}, jsonb_build_object('email', ${email}::text, 'orgName', ${organizations.name})
    from ${users} join ${organizations} on ${organizations.id} = ${orgId}
    where ${users.id} = ${inviterId}`
}

/** Tells the inviter, in the transaction of the answer, if the inviter still has an account. */
async function notifyInviter(tx: Db, params: { inviterId: string | null; orgId: string; kind: 'invitation.accepted' | 'invitation.declined'; email: string }) {
  if (params.inviterId) await tx.execute(notifyInviterSql(params))
}
const NOT_ALLOWED: RespondFailure = {
  ok: false,
  error: 'not_allowed',
  message: 'The person who invited you can no longer grant this access. Ask them to invite you again.',
}

/** The invitee's normalized email, read in the transaction. */
async function readUserEmail(tx: Db, userId: string): Promise<string | null> {
  const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
  return user ? normalizeEmail(user.email) : null
}

/** Why a conditional update on an invitation in this state did not apply, as the invitee may learn it. */
function respondFailure(row: { status: string; email: string; expiresAt: Date } | null, email: string, now: Date): RespondFailure {
  if (!row || normalizeEmail(row.email) !== email) return RESPOND_NOT_FOUND
  switch (row.status) {
    case 'accepted':
      return { ok: false, error: 'already_answered', message: 'You have already accepted this invitation.' }
    case 'declined':
      return { ok: false, error: 'already_answered', message: 'You have already declined this invitation.' }
    case 'revoked':
      return { ok: false, error: 'revoked', message: 'This invitation was revoked. Ask for a new one if you still need access.' }
    case 'expired':
      return { ok: false, error: 'expired', message: 'This invitation has expired. Ask the person who invited you to send it again.' }
    default:
      if (row.expiresAt <= now) {
        return { ok: false, error: 'expired', message: 'This invitation has expired. Ask the person who invited you to send it again.' }
      }
      return { ok: false, error: 'already_answered', message: 'This invitation was answered at the same time elsewhere. Reload to see where it stands.' }
  }
}

/** Why a conditional update on an invitation did not apply, read afresh. */
async function whyNotRespondable(tx: Db, invitationId: string, email: string, now: Date): Promise<RespondFailure> {
  const [row] = await tx
    .select({ status: invitations.status, email: invitations.email, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(eq(invitations.id, invitationId))
  return respondFailure(row ?? null, email, now)
}

/**
 * Accepts an invitation for the signed-in user whose email is the invited one (anyone else gets
 * not_found). In one transaction: the conditional state change, the inviter's rights checked
 * again now (no escalation, DESIGN.md section 3 rule 1), the membership and the project access.
 * Any refusal rolls everything back and leaves the invitation pending. Five statements: the
 * locks, the conditional update with what the checks need, the writes.
 */
export async function acceptInvitation(
  db: Db,
  params: { invitationId: string; userId: string; now?: Date },
): Promise<{ ok: true; organization: { id: string; name: string; slug: string } } | RespondFailure> {
  const { invitationId, userId } = params
  const now = params.now ?? new Date()
  if (!isUuid(invitationId) || !isUuid(userId)) return RESPOND_NOT_FOUND

  return transactionOrRefusal(db, async (tx) => {
    // The organization lock comes before the invitation's row lock, in the order every seat change
    // takes them; holding both, the next statement reads what the checks need as it stays until commit.
    const [locked] = rowsOf<{ email: string; org_id: string | null; name: string; slug: string; seat_limit: number | null; invitation_id: string | null }>(
      await tx.execute(sql`
        select u.email, o.id as org_id, o.name, o.slug, o.seat_limit, i.id as invitation_id
        from users u
        left join lateral (
          select id, name, slug, seat_limit from organizations
          where id = (select organization_id from invitations where id = ${invitationId})
          for no key update
        ) as o on true
        left join lateral (select id from invitations where id = ${invitationId} and organization_id = o.id for update) as i on true
        where u.id = ${userId}`),
    )
    if (!locked || !locked.org_id || !locked.invitation_id) return RESPOND_NOT_FOUND
    const email = normalizeEmail(locked.email)
    const org = { id: locked.org_id, name: locked.name, slug: locked.slug }
    const nowSql = sql`${now.toISOString()}::timestamptz`

    const [accepted] = rowsOf<{
      id: string | null
      role: 'admin' | 'member'
      permissions: string[]
      invited_by: string | null
      inviter_role: Role | null
      inviter_permissions: string[] | null
      grants: { projectId: string; level: ProjectLevel; inviterLevel: ProjectLevel | null }[]
      is_member: boolean
      members: number
      status: string | null
      invited_email: string | null
      expires_at_ms: number | null
    }>(
      await tx.execute(sql`
        with accepted as (
          update invitations set status = 'accepted', responded_at = ${nowSql}, responded_by = ${userId}
          where id = ${invitationId} and organization_id = ${org.id} and email = ${email} and status = 'pending' and expires_at > ${nowSql}
          returning id, role, permissions, invited_by
        )
        select a.id, a.role, a.permissions, a.invited_by, inviter.role as inviter_role, inviter.permissions as inviter_permissions,
          (select coalesce(json_agg(json_build_object('projectId', g.project_id, 'level', g.level, 'inviterLevel', pm.level)), '[]'::json)
            from invitation_project_grants g
            join projects p on p.id = g.project_id and p.organization_id = ${org.id}
            left join project_members pm on pm.project_id = g.project_id and pm.organization_id = ${org.id} and pm.user_id = a.invited_by
            where g.invitation_id = a.id) as grants,
          exists (select 1 from memberships where organization_id = ${org.id} and user_id = ${userId}) as is_member,
          (select count(*) from memberships where organization_id = ${org.id})::int as members,
          cur.status, cur.email as invited_email, (extract(epoch from cur.expires_at) * 1000)::float8 as expires_at_ms
        from (select 1) as one
        left join accepted a on true
        left join memberships inviter on inviter.organization_id = ${org.id} and inviter.user_id = a.invited_by
        left join invitations cur on cur.id = ${invitationId}`),
    )
    if (!accepted.id) {
      const current = accepted.status ? { status: accepted.status, email: accepted.invited_email!, expiresAt: new Date(accepted.expires_at_ms!) } : null
      return respondFailure(current, email, now)
    }

    const grantRows = parseJsonColumn<{ projectId: string; level: ProjectLevel; inviterLevel: ProjectLevel | null }[]>(accepted.grants)
    const grants = grantRows.map((g) => ({ projectId: g.projectId, level: g.level }))
    const inviterLevels = new Map(grantRows.filter((g) => g.inviterLevel).map((g) => [g.projectId, g.inviterLevel as ProjectLevel]))
    const inviter = accepted.inviter_role ? { role: accepted.inviter_role, permissions: accepted.inviter_permissions ?? [], projectLevels: inviterLevels } : null
    if (!canInviterStillGrant(inviter, { role: accepted.role, permissions: accepted.permissions, projectGrants: grants })) throw new Refusal(NOT_ALLOWED)
    if (accepted.is_member) throw new Refusal<RespondFailure>({ ok: false, error: 'already_member', message: 'You are already a member of this organization.' })
    // The pending invitation held its seat already; this only bites when the limit was lowered
    // below the members plus invitations since. Seats then go to whoever accepts first.
    if (locked.seat_limit != null && accepted.members + 1 > locked.seat_limit) throw new Refusal(NO_FREE_SEAT)

    const audit: AuditEntry[] = [
      {
        organizationId: org.id,
        actorId: userId,
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: accepted.id,
        data: { email, role: accepted.role, permissions: accepted.permissions, projectGrants: grants },
      },
      ...grants.map(
        (g): AuditEntry => ({
          organizationId: org.id,
          actorId: userId,
          action: 'project.access_granted',
          targetType: 'project',
          targetId: g.projectId,
          data: { userId, level: g.level, via: 'invitation', invitationId: accepted.id },
        }),
      ),
    ]
    const [joined] = rowsOf<{ membership_id: string | null }>(
      await tx.execute(sql`
        with joined as (
          insert into memberships (organization_id, user_id, role, permissions, joined_at)
          values (${org.id}, ${userId}, ${accepted.role}::member_role, ${textArray(accepted.permissions)}, ${nowSql})
          on conflict (organization_id, user_id) do nothing
          returning id
        ),
        access as (
          insert into project_members (project_id, organization_id, user_id, level)
          select g.project_id, ${org.id}::uuid, ${userId}::uuid, g.level
          from jsonb_to_recordset(${JSON.stringify(grants.map((g) => ({ project_id: g.projectId, level: g.level })))}::jsonb) as g(project_id uuid, level project_level)
          -- Enum order is view < edit < admin: keep whichever level is higher.
          on conflict (project_id, user_id) do update set level = greatest(project_members.level, excluded.level)
        ),
        audited as (${recordAuditRowsSql(audit)}),
        notified as (${notifyInviterSql({ inviterId: accepted.invited_by, orgId: org.id, kind: 'invitation.accepted', email })})
        select (select id from joined) as membership_id`),
    )
    if (!joined.membership_id) {
      throw new Refusal<RespondFailure>({ ok: false, error: 'already_member', message: 'You are already a member of this organization.' })
    }
    return { ok: true as const, organization: org }
  })
}

/** Declines an invitation for the signed-in user whose email is the invited one (anyone else gets not_found). */
export async function declineInvitation(db: Db, params: { invitationId: string; userId: string; now?: Date }): Promise<{ ok: true } | RespondFailure> {
  const { invitationId, userId } = params
  const now = params.now ?? new Date()
  if (!isUuid(invitationId) || !isUuid(userId)) return RESPOND_NOT_FOUND

  return db.transaction(async (txAny): Promise<{ ok: true } | RespondFailure> => {
    const tx = txAny as unknown as Db
    const email = await readUserEmail(tx, userId)
    if (!email) return RESPOND_NOT_FOUND
    const [declined] = await tx
      .update(invitations)
      .set({ status: 'declined', respondedAt: now, respondedBy: userId })
      .where(and(eq(invitations.id, invitationId), eq(invitations.email, email), eq(invitations.status, 'pending'), gt(invitations.expiresAt, now)))
      .returning({ id: invitations.id, orgId: invitations.organizationId, invitedBy: invitations.invitedBy })
    if (!declined) return whyNotRespondable(tx, invitationId, email, now)
    await notifyInviter(tx, { inviterId: declined.invitedBy, orgId: declined.orgId, kind: 'invitation.declined', email })
    await recordAudit(tx, {
      organizationId: declined.orgId,
      actorId: userId,
      action: 'invitation.declined',
      targetType: 'invitation',
      targetId: declined.id,
      data: { email },
    })
    return { ok: true }
  })
}

export interface OpenInvitation {
  id: string
  organization: { name: string; slug: string }
  inviter: { name: string | null; email: string } | null
  role: 'admin' | 'member'
  permissions: string[]
  expiresAt: Date
  createdAt: Date
  /** False when the inviter can no longer grant what is offered: acceptInvitation would refuse it. */
  inviterCanGrant: boolean
}

interface OpenInvitationJson {
  id: string
  orgName: string
  orgSlug: string
  inviterName: string | null
  inviterEmail: string | null
  role: 'admin' | 'member'
  permissions: string[]
  expiresAt: string
  createdAt: string
  inviterRights: unknown
}

/**
 * Select fields for a user's invitations that can still be answered (pending, unexpired, to the
 * address of the `users` row in the query, which must be in it as "users"), newest first, and how many there are (the bell's
 * count), on invitations_email_status_idx. Shared by listOpenInvitationsForUser and the page
 * header's one query (viewer.ts); read the result with readOpenInvitations.
 */
export function openInvitationsSelection(now: Date, limit: number) {
  const at = now.toISOString()
  return {
    openTotal: sql<number>`(
      select count(*) from invitations i
      where i.email = users.email and i.status = 'pending' and i.expires_at > ${at}::timestamptz
    )`.mapWith(Number),
    openItems: sql<unknown>`(
      select coalesce(json_agg(x), '[]'::json) from (
        select i.id, o.name as "orgName", o.slug as "orgSlug", inviter.name as "inviterName", inviter.email as "inviterEmail",
               i.role, i.permissions, i.expires_at as "expiresAt", i.created_at as "createdAt",
               ${inviterRightsSql({ id: sql`i.id`, orgId: sql`i.organization_id`, invitedBy: sql`i.invited_by` })} as "inviterRights"
        from invitations i
        join organizations o on o.id = i.organization_id
        left join users inviter on inviter.id = i.invited_by
        where i.email = users.email and i.status = 'pending' and i.expires_at > ${at}::timestamptz
        order by i.created_at desc, i.id desc
        limit ${limit}
      ) x
    )`,
  }
}

export function readOpenInvitations(row: { openTotal: number; openItems: unknown }): { items: OpenInvitation[]; total: number } {
  return {
    total: row.openTotal,
    items: parseJsonColumn<OpenInvitationJson[]>(row.openItems).map((r) => ({
      id: r.id,
      organization: { name: r.orgName, slug: r.orgSlug },
      inviter: r.inviterEmail ? { name: r.inviterName, email: r.inviterEmail } : null,
      role: r.role,
      permissions: r.permissions,
      expiresAt: new Date(r.expiresAt),
      createdAt: new Date(r.createdAt),
      inviterCanGrant: inviterStillGrants(r.inviterRights, r),
    })),
  }
}

/** The signed-in user's invitations that can still be answered, and how many there are: one query. */
export async function listOpenInvitationsForUser(
  db: Db,
  params: { userId: string; limit?: number; now?: Date },
): Promise<{ items: OpenInvitation[]; total: number }> {
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(params.limit ?? 20)))
  if (!isUuid(params.userId)) return { items: [], total: 0 }
  const [row] = await db
    .select(openInvitationsSelection(params.now ?? new Date(), limit))
    .from(users)
    .where(eq(users.id, params.userId))
  return row ? readOpenInvitations(row) : { items: [], total: 0 }
}

/**
 * "Continue as <invited address>": the token proves the mailbox, so a valid pending invitation to
 * an address with no account creates that account, verified. It does not accept the invitation,
 * and it never touches an existing account (a forwarded link must not sign anyone in).
 */
export async function claimInvitationForNewUser(
  db: Db,
  token: string,
  now: Date = new Date(),
): Promise<{ ok: true; userId: string; email: string } | { ok: false; error: 'not_found' | 'expired' | 'not_pending' | 'account_exists' }> {
  if (!isWellFormedToken(token)) return { ok: false, error: 'not_found' }
  return db.transaction(async (txAny) => {
    const tx = txAny as unknown as Db
    const [inv] = await tx
      .select({ email: invitations.email, status: invitations.status, expiresAt: invitations.expiresAt })
      .from(invitations)
      .where(eq(invitations.tokenHash, hashToken(token)))
      .for('share')
    if (!inv) return { ok: false as const, error: 'not_found' as const }
    if (inv.status === 'expired' || (inv.status === 'pending' && inv.expiresAt <= now)) return { ok: false as const, error: 'expired' as const }
    if (inv.status !== 'pending') return { ok: false as const, error: 'not_pending' as const }
    const email = normalizeEmail(inv.email)
    const [user] = await tx
      .insert(users)
      .values({ email, emailVerified: now })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, email: users.email })
    if (!user) return { ok: false as const, error: 'account_exists' as const }
    return { ok: true as const, userId: user.id, email: user.email }
  })
}

const SWEEP_BATCH = 1000

/**
 * The periodic sweep: stores pending invitations past their expiry as expired, with an audit
 * event each. Batches skip rows another instance is sweeping, so every instance may run it.
 */
export async function expireInvitations(db: Db, now: Date = new Date()): Promise<number> {
  let total = 0
  for (;;) {
    const swept = await db.transaction(async (txAny) => {
      const tx = txAny as unknown as Db
      const due = tx
        .select({ id: invitations.id })
        .from(invitations)
        .where(and(isPendingSql, lte(invitations.expiresAt, now)))
        .orderBy(asc(invitations.expiresAt))
        .limit(SWEEP_BATCH)
        .for('update', { skipLocked: true })
      return markExpired(tx, inArray(invitations.id, due), now)
    })
    total += swept
    if (swept < SWEEP_BATCH) return total
  }
}

// ---------------------------------------------------------------------------------------------
// Editing an invitation, and re-inviting a former member (issue 4)

export type UpdateInvitationResult =
  | { ok: true }
  | { ok: false; error: 'not_found' | 'forbidden' | 'escalation' | 'not_pending'; message: string; field?: 'role' | 'permissions' | 'projectGrants' }

/**
 * Changes what a pending invitation offers; the token, and so the emailed link, stay the same.
 * Needs members:invite, and like a member edit the caller may grant or take away only what it
 * holds: the old and the new offer together must pass checkGrant. The caller becomes the
 * invitation's inviter, since accept checks the offer against the inviter's rights.
 */
export async function updateInvitation(
  db: Db,
  params: {
    orgId: string
    actorId: string
    invitationId: string
    role: 'admin' | 'member'
    permissions: string[]
    projectGrants: ProjectGrantInput[]
    now?: Date
  },
): Promise<UpdateInvitationResult> {
  const { orgId, actorId, invitationId, role } = params
  const now = params.now ?? new Date()
  const permissions = [...new Set(params.permissions)]
  const projectGrants = mergeGrants(params.projectGrants)
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(invitationId)) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
  if (projectGrants.some((g) => !isUuid(g.projectId))) return { ok: false, error: 'not_found', message: 'One of the projects was not found.' }

  return db.transaction(async (txAny): Promise<UpdateInvitationResult> => {
    const tx = txAny as unknown as Db
    const actor = await readMembership(tx, orgId, actorId)
    if (!actor) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
    if (!hasPermission(actor, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }

    const [current] = await tx
      .select({ id: invitations.id, email: invitations.email, role: invitations.role, permissions: invitations.permissions, status: invitations.status, expiresAt: invitations.expiresAt })
      .from(invitations)
      .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, orgId)))
      .for('update')
    if (!current) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
    if (current.status !== 'pending' || current.expiresAt <= now) {
      return { ok: false, error: 'not_pending', message: current.status === 'pending' || current.status === 'expired' ? 'This invitation has expired. Resend it, then change it.' : NOT_PENDING }
    }
    const oldGrants = await tx
      .select({ projectId: invitationProjectGrants.projectId, level: invitationProjectGrants.level })
      .from(invitationProjectGrants)
      .innerJoin(projects, and(eq(projects.id, invitationProjectGrants.projectId), eq(projects.organizationId, orgId)))
      .where(eq(invitationProjectGrants.invitationId, invitationId))

    const projectIds = projectGrants.map((g) => g.projectId)
    const found = projectIds.length
      ? await tx.select({ id: projects.id }).from(projects).where(and(eq(projects.organizationId, orgId), inArray(projects.id, projectIds)))
      : []
    if (found.length !== projectIds.length) return { ok: false, error: 'not_found', message: 'One of the projects was not found.' }

    const touched = mergeGrants([...oldGrants, ...projectGrants])
    const levels = await readProjectLevels(tx, orgId, actorId, touched.map((g) => g.projectId))
    const grantor = { role: actor.role, permissions: actor.permissions, projectLevels: levels }
    const newCheck = checkGrant(grantor, { role, permissions, projectGrants })
    if (!newCheck.ok) return { ok: false, error: 'escalation', field: newCheck.field, message: newCheck.message }
    const unionCheck = checkGrant(grantor, {
      role: role === 'admin' || current.role === 'admin' ? 'admin' : 'member',
      permissions: [...new Set([...permissions, ...current.permissions])],
      projectGrants: touched,
    })
    if (!unionCheck.ok) {
      return {
        ok: false,
        error: 'escalation',
        field: unionCheck.field,
        message: `This invitation offers access you do not hold, so you cannot change it. ${unionCheck.message.replace('cannot grant', 'cannot remove')}`,
      }
    }

    const [updated] = await tx
      .update(invitations)
      .set({ role, permissions, invitedBy: actorId })
      .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, orgId), eq(invitations.status, 'pending'), gt(invitations.expiresAt, now)))
      .returning({ id: invitations.id })
    if (!updated) return { ok: false, error: 'not_pending', message: NOT_PENDING }
    await tx.delete(invitationProjectGrants).where(eq(invitationProjectGrants.invitationId, invitationId))
    if (projectGrants.length) {
      await tx.insert(invitationProjectGrants).values(projectGrants.map((g) => ({ invitationId, projectId: g.projectId, level: g.level })))
    }
    await recordAudit(tx, {
      organizationId: orgId,
      actorId,
      action: 'invitation.updated',
      targetType: 'invitation',
      targetId: invitationId,
      data: {
        email: current.email,
        before: { role: current.role, permissions: current.permissions, projectGrants: oldGrants },
        after: { role, permissions, projectGrants },
      },
    })
    return { ok: true }
  })
}

/**
 * A former member's role and permissions when they last left or were removed, for the invite
 * dialog to offer again (an owner comes back as admin). null when there is none, or the caller
 * lacks members:invite.
 */
export async function getPreviousAccess(
  db: Db,
  { orgId, actorId, email: rawEmail }: { orgId: string; actorId: string; email: string },
): Promise<{ role: 'admin' | 'member'; permissions: string[] } | null> {
  const email = normalizeEmail(rawEmail)
  if (!isUuid(orgId) || !isUuid(actorId) || !isValidEmail(email)) return null
  const [actor] = await db
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
  if (!actor || !hasPermission(actor, 'members:invite')) return null
  const [event] = await db
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.organizationId, orgId),
        inArray(auditEvents.action, ['member.removed', 'member.left']),
        sql`${auditEvents.data}->>'email' = ${email}`,
      ),
    )
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(1)
  if (!event) return null
  const previousRole = event.data.role
  const role = previousRole === 'owner' || previousRole === 'admin' ? 'admin' : 'member'
  const stored = Array.isArray(event.data.permissions) ? (event.data.permissions as unknown[]).filter((p): p is string => typeof p === 'string') : []
  return { role, permissions: effectivePermissions(role, stored) }
}

import 'server-only'
import { createHash, randomBytes } from 'node:crypto'
import { and, asc, count, desc, eq, gt, inArray, lte, sql, type SQL } from 'drizzle-orm'
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
  rateLimits,
  users,
} from '@/db/schema'
import { renderInvitationEmail } from '@/lib/email/render'
import { enqueueEmail, enqueueEmails } from '@/lib/email/outbox'
import { checkGrant, effectivePermissions, hasPermission, permissionLabel, PROJECT_LEVEL_RANK, type ProjectLevel, type Role } from '@/lib/permissions'
import { isValidEmail, normalizeEmail } from '@/lib/validations/common'
import { isWellFormedToken, MAX_INVITES_AT_ONCE } from '@/lib/validations/invitation'
import { recordAudit, type AuditEntry } from './audit'
import { decodeCursor, encodeCursor } from './cursor'
import { countSeatsUsed, lockOrganization } from './organizations'
import { rateLimitKey } from './rate-limits'

const DAY_MS = 24 * 60 * 60_000

/** Invitations an organization may send per day, and one inviter per day (across organizations). */
export const INVITATIONS_PER_ORG_PER_DAY = 500
export const INVITATIONS_PER_INVITER_PER_DAY = 200
export const RESEND_COOLDOWN_MS = 60_000

export type InviteOutcome = 'invited' | 'already_member' | 'already_invited' | 'invalid' | 'rate_limited' | 'seat_limit'

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

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const isUuid = (value: string) => uuidPattern.test(value)

const addMs = (date: Date, ms: number) => new Date(date.getTime() + ms)

function hostOf(appUrl: string): string {
  try {
    return new URL(appUrl).host
  } catch {
    return appUrl
  }
}

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

/** Consumes `units` uses of a fixed-window counter at once and says how many of them fit in `limit`. */
async function consumeRateLimitUnits(
  tx: Db,
  { key, limit, windowMs, units, now }: { key: string; limit: number; windowMs: number; units: number; now: Date },
): Promise<number> {
  if (units <= 0) return 0
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs)
  const [row] = await tx
    .insert(rateLimits)
    .values({ key, windowStart, count: units })
    .onConflictDoUpdate({ target: [rateLimits.key, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + ${units}` } })
    .returning({ count: rateLimits.count })
  const usedBefore = row.count - units
  return Math.max(0, Math.min(units, limit - usedBefore))
}

interface EmailContext {
  orgName: string
  inviterName: string | null
  inviterEmail: string
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: { name: string; level: ProjectLevel }[]
}

/**
 * Renders the invitation email once for a batch, with a random placeholder where the token
 * goes, so inviting 50 people renders React once rather than 50 times.
 */
async function invitationEmailRenderer(ctx: EmailContext, config: InvitationConfig, expiresAt: Date) {
  const placeholder = `TOKEN${randomBytes(16).toString('hex')}`
  const rendered = await renderInvitationEmail({
    orgName: ctx.orgName,
    inviterName: ctx.inviterName,
    inviterEmail: ctx.inviterEmail,
    role: ctx.role,
    permissionLabels: ctx.role === 'admin' ? [] : ctx.permissions.map(permissionLabel),
    projectGrants: ctx.projectGrants,
    url: invitationUrl(config.appUrl, placeholder),
    expiresAt,
    host: hostOf(config.appUrl),
  })
  return (token: string) => ({
    subject: rendered.subject,
    html: rendered.html.replaceAll(placeholder, token),
    text: rendered.text.replaceAll(placeholder, token),
  })
}

// ---------------------------------------------------------------------------------------------
// Create

export type CreateInvitationsResult =
  | { ok: true; results: { email: string; outcome: InviteOutcome; invitationId?: string }[]; emailIds: string[] }
  | { ok: false; error: 'forbidden' | 'escalation' | 'not_found'; message: string; field?: 'role' | 'permissions' | 'projectGrants' }

/**
 * Invites each address (at most 50). The actor must hold members:invite and may offer only
 * what it holds (no escalation, owners exempt); the projects must belong to the organization.
 * Each address is reported: invited, already a member, already invited, invalid or rate limited.
 * Invitations, project grants, audit events and emails are written in one transaction; the
 * returned email ids are for immediate delivery after the response.
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
  if (!isUuid(orgId) || !isUuid(actorId)) return { ok: false, error: 'forbidden', message: 'You do not have permission to invite members.' }
  if (projectGrants.some((g) => !isUuid(g.projectId))) return { ok: false, error: 'not_found', message: 'One of the projects was not found.' }

  return db.transaction(async (txAny): Promise<CreateInvitationsResult> => {
    const tx = txAny as unknown as Db
    // Taken first, as by every change to seats (see lockOrganization): the seat count below holds until commit.
    const org = await lockOrganization(tx, orgId)
    if (!org) return { ok: false, error: 'forbidden', message: 'You do not have permission to invite members.' }
    const [actor] = await tx
      .select({
        role: memberships.role,
        permissions: memberships.permissions,
        orgName: organizations.name,
        name: users.name,
        email: users.email,
      })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
      .for('share', { of: memberships })
    if (!actor || !hasPermission(actor, 'members:invite')) {
      return { ok: false, error: 'forbidden', message: 'You do not have permission to invite members.' }
    }

    const projectIds = projectGrants.map((g) => g.projectId)
    const projectRows = projectIds.length
      ? await tx
          .select({ id: projects.id, name: projects.name, level: projectMembers.level })
          .from(projects)
          .leftJoin(
            projectMembers,
            and(eq(projectMembers.projectId, projects.id), eq(projectMembers.organizationId, orgId), eq(projectMembers.userId, actorId)),
          )
          .where(and(eq(projects.organizationId, orgId), inArray(projects.id, projectIds)))
      : []
    if (projectRows.length !== projectIds.length) return { ok: false, error: 'not_found', message: 'One of the projects was not found.' }

    const grantorLevels = new Map(projectRows.filter((p) => p.level).map((p) => [p.id, p.level as ProjectLevel]))
    const check = checkGrant({ role: actor.role, permissions: actor.permissions, projectLevels: grantorLevels }, { role, permissions, projectGrants })
    if (!check.ok) return { ok: false, error: 'escalation', field: check.field, message: check.message }

    const outcomes = new Map<string, { outcome: InviteOutcome; invitationId?: string }>()
    const valid = emails.filter((e) => isValidEmail(e))
    for (const e of emails) if (!isValidEmail(e)) outcomes.set(e, { outcome: 'invalid' })

    if (valid.length) {
      const members = await tx
        .select({ email: users.email })
        .from(users)
        .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.organizationId, orgId)))
        .where(inArray(users.email, valid))
      for (const m of members) outcomes.set(m.email, { outcome: 'already_member' })
    }

    const notMembers = valid.filter((e) => !outcomes.has(e))
    if (notMembers.length) {
      const pending = await tx
        .select({ id: invitations.id, email: invitations.email, expiresAt: invitations.expiresAt })
        .from(invitations)
        .where(and(eq(invitations.organizationId, orgId), eq(invitations.status, 'pending'), inArray(invitations.email, notMembers)))
      const stale = pending.filter((p) => p.expiresAt <= now).map((p) => p.id)
      for (const p of pending) if (p.expiresAt > now) outcomes.set(p.email, { outcome: 'already_invited', invitationId: p.id })
      if (stale.length) await markExpired(tx, and(inArray(invitations.id, stale), eq(invitations.organizationId, orgId)), now)
    }

    // Seats (members plus pending invitations) go to the first addresses in the list.
    let candidates = notMembers.filter((e) => !outcomes.has(e))
    if (org.seatLimit !== null && candidates.length) {
      const free = Math.max(0, org.seatLimit - (await countSeatsUsed(tx, orgId, now)))
      for (const e of candidates.slice(free)) outcomes.set(e, { outcome: 'seat_limit' })
      candidates = candidates.slice(0, free)
    }

    // Rate limits count only the addresses that would be invited; the first ones in the list go first.
    const allowedByOrg = await consumeRateLimitUnits(tx, {
      key: rateLimitKey('invitations:org', orgId),
      limit: INVITATIONS_PER_ORG_PER_DAY,
      windowMs: DAY_MS,
      units: candidates.length,
      now,
    })
    const allowedByInviter = await consumeRateLimitUnits(tx, {
      key: rateLimitKey('invitations:inviter', actorId),
      limit: INVITATIONS_PER_INVITER_PER_DAY,
      windowMs: DAY_MS,
      units: candidates.length,
      now,
    })
    const allowed = Math.min(allowedByOrg, allowedByInviter)
    for (const e of candidates.slice(allowed)) outcomes.set(e, { outcome: 'rate_limited' })
    const toInvite = candidates.slice(0, allowed)

    const emailIds: string[] = []
    if (toInvite.length) {
      const expiresAt = addMs(now, config.ttlDays * DAY_MS)
      const tokens = new Map(toInvite.map((e) => [e, newToken()]))
      // A concurrent invite of the same address wins the partial unique index; this one then reports "already invited".
      const inserted = await tx
        .insert(invitations)
        .values(
          toInvite.map((email) => ({
            organizationId: orgId,
            email,
            role,
            permissions,
            invitedBy: actorId,
            tokenHash: hashToken(tokens.get(email)!),
            expiresAt,
            lastSentAt: now,
            createdAt: now,
          })),
        )
        .onConflictDoNothing({ target: [invitations.organizationId, invitations.email], where: sql`${invitations.status} = 'pending'` })
        .returning({ id: invitations.id, email: invitations.email })
      for (const e of toInvite) outcomes.set(e, { outcome: 'already_invited' })
      for (const row of inserted) outcomes.set(row.email, { outcome: 'invited', invitationId: row.id })

      if (inserted.length) {
        if (projectGrants.length) {
          await tx
            .insert(invitationProjectGrants)
            .values(inserted.flatMap((inv) => projectGrants.map((g) => ({ invitationId: inv.id, projectId: g.projectId, level: g.level }))))
        }
        const names = new Map(projectRows.map((p) => [p.id, p.name]))
        const render = await invitationEmailRenderer(
          {
            orgName: actor.orgName,
            inviterName: actor.name,
            inviterEmail: actor.email,
            role,
            permissions,
            projectGrants: projectGrants.map((g) => ({ name: names.get(g.projectId) ?? '', level: g.level })),
          },
          config,
          expiresAt,
        )
        // One insert for the whole batch: inviting 50 costs about what inviting one does.
        const queued = await enqueueEmails(
          tx,
          inserted.map((inv) => ({ kind: 'invitation', to: inv.email, ...render(tokens.get(inv.email)!), idempotencyKey: `invitation/${inv.id}/1` })),
        )
        const sent = inserted.map((inv, i) => ({ invitationId: inv.id, emailId: queued[i].id }))
        emailIds.push(...queued.map((q) => q.id))
        await setLastEmailIds(tx, orgId, sent)
        await recordAudit(
          tx,
          ...inserted.map(
            (inv): AuditEntry => ({
              organizationId: orgId,
              actorId,
              action: 'invitation.created',
              targetType: 'invitation',
              targetId: inv.id,
              data: { email: inv.email, role, permissions, projectGrants },
            }),
          ),
        )
      }
    }

    return {
      ok: true,
      results: emails.map((email) => ({ email, ...outcomes.get(email)! })),
      emailIds,
    }
  })
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

async function setLastEmailIds(tx: Db, orgId: string, sent: { invitationId: string; emailId: string }[]) {
  if (!sent.length) return
  const values = sql.join(
    sent.map((s) => sql`(${s.invitationId}::uuid, ${s.emailId}::uuid)`),
    sql`, `,
  )
  await tx.execute(sql`
    update ${invitations} set last_email_id = v.email_id
    from (values ${values}) as v(invitation_id, email_id)
    where ${invitations.id} = v.invitation_id and ${invitations.organizationId} = ${orgId}`)
}

/** Marks pending invitations past their expiry as expired, with an audit event each; returns how many. */
async function markExpired(tx: Db, where: SQL | undefined, now: Date): Promise<number> {
  const expired = await tx
    .update(invitations)
    .set({ status: 'expired' })
    .where(and(where, eq(invitations.status, 'pending'), lte(invitations.expiresAt, now)))
    .returning({ id: invitations.id, organizationId: invitations.organizationId, email: invitations.email })
  for (let i = 0; i < expired.length; i += 1000) {
    await recordAudit(
      tx,
      ...expired.slice(i, i + 1000).map(
        (inv): AuditEntry => ({
          organizationId: inv.organizationId,
          actorId: null,
          action: 'invitation.expired',
          targetType: 'invitation',
          targetId: inv.id,
          data: { email: inv.email },
        }),
      ),
    )
  }
  return expired.length
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
  state: 'pending' | 'expired' | 'delivery_failed'
  deliveryError: string | null
}

const MAX_PAGE = 100

/**
 * The organization's open invitations (pending, and expired ones, which can be resent or revoked),
 * newest first, keyset-paginated; null when the actor lacks members:read. Three queries whatever
 * the page size.
 */
export async function listPendingInvitations(
  db: Db,
  params: { orgId: string; actorId: string; limit?: number; cursor?: string | null; now?: Date },
): Promise<{ items: PendingInvitationRow[]; nextCursor: string | null } | null> {
  const { orgId, actorId } = params
  const now = params.now ?? new Date()
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(params.limit ?? 50)))
  if (!isUuid(orgId) || !isUuid(actorId)) return null

  const [actor] = await db
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
  if (!actor || !hasPermission(actor, 'members:read')) return null

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
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .leftJoin(emailOutbox, eq(emailOutbox.id, invitations.lastEmailId))
    .where(
      and(
        eq(invitations.organizationId, orgId),
        inArray(invitations.status, ['pending', 'expired']),
        after ? sql`(${invitations.createdAt}, ${invitations.id}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(limit + 1)

  const page = rows.slice(0, limit)
  const grants = page.length
    ? await db
        .select({
          invitationId: invitationProjectGrants.invitationId,
          projectId: projects.id,
          projectName: projects.name,
          level: invitationProjectGrants.level,
        })
        .from(invitationProjectGrants)
        .innerJoin(projects, and(eq(projects.id, invitationProjectGrants.projectId), eq(projects.organizationId, orgId)))
        .where(
          inArray(
            invitationProjectGrants.invitationId,
            page.map((r) => r.id),
          ),
        )
        .orderBy(asc(projects.name), asc(projects.id))
    : []

  const items = page.map((r): PendingInvitationRow => {
    const isExpired = r.status === 'expired' || r.expiresAt <= now
    const isFailed = r.emailStatus === 'failed'
    return {
      id: r.id,
      email: r.email,
      role: r.role,
      permissions: r.permissions,
      projectGrants: grants
        .filter((g) => g.invitationId === r.id)
        .map((g) => ({ projectId: g.projectId, projectName: g.projectName, level: g.level })),
      invitedBy: r.inviterEmail ? { name: r.inviterName, email: r.inviterEmail } : null,
      createdAt: r.createdAt,
      lastSentAt: r.lastSentAt,
      expiresAt: r.expiresAt,
      sendCount: r.sendCount,
      state: isExpired ? 'expired' : isFailed ? 'delivery_failed' : 'pending',
      deliveryError: isFailed ? (r.emailError ?? 'The email could not be delivered.') : null,
    }
  })
  const last = page[page.length - 1]
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null }
}

// ---------------------------------------------------------------------------------------------
// Resend and revoke

export type ResendResult =
  | { ok: true; emailId: string }
  | { ok: false; error: 'not_found' | 'forbidden' | 'not_pending' | 'cooldown' | 'already_member' | 'seat_limit'; message: string; retryAfterMs?: number }

const FORBIDDEN_INVITE = 'You do not have permission to manage invitations.'
const NOT_FOUND_INVITATION = 'This invitation was not found.'
const NOT_PENDING = 'This invitation is no longer pending.'

/**
 * Sends a pending or expired invitation again with a new token (the old link stops working) and
 * a new expiry, at most once per cooldown. Needs members:invite. The invitation keeps its inviter,
 * whose rights are checked again at accept.
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

  try {
    return await transactionOrRefusal(db, async (tx): Promise<ResendResult> => {
      const org = await lockOrganization(tx, orgId)
      if (!org) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
      const actor = await readMembership(tx, orgId, actorId)
      if (!actor || !hasPermission(actor, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }

      const [current] = await tx
        .select({
          email: invitations.email,
          status: invitations.status,
          expiresAt: invitations.expiresAt,
          isMember: sql<boolean>`exists (
            select 1 from users as member_user join memberships as m on m.user_id = member_user.id
            where member_user.email = "invitations"."email" and m.organization_id = ${orgId})`,
        })
        .from(invitations)
        .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, orgId)))
      if (!current) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
      if (current.isMember) return { ok: false, error: 'already_member', message: `${current.email} is already a member of this organization.` }
      // An expired invitation gave up its seat; renewing it takes one again.
      const holdsSeat = current.status === 'pending' && current.expiresAt > now
      if (org.seatLimit !== null && !holdsSeat && (await countSeatsUsed(tx, orgId, now)) + 1 > org.seatLimit) {
        return { ok: false, error: 'seat_limit', message: 'This organization has no free seats. Remove a member or revoke an invitation first.' }
      }

      const token = newToken()
      const expiresAt = addMs(now, config.ttlDays * DAY_MS)
      const [renewed] = await tx
        .update(invitations)
        .set({
          tokenHash: hashToken(token),
          expiresAt,
          lastSentAt: now,
          sendCount: sql`${invitations.sendCount} + 1`,
          status: 'pending',
        })
        .where(
          and(
            eq(invitations.id, invitationId),
            eq(invitations.organizationId, orgId),
            inArray(invitations.status, ['pending', 'expired']),
            lte(invitations.lastSentAt, addMs(now, -cooldownMs)),
            sql`not exists (select 1 from invitations as other
              where other.organization_id = ${orgId} and other.email = "invitations"."email"
                and other.status = 'pending' and other.id <> "invitations"."id")`,
          ),
        )
        .returning({
          id: invitations.id,
          email: invitations.email,
          role: invitations.role,
          permissions: invitations.permissions,
          invitedBy: invitations.invitedBy,
          sendCount: invitations.sendCount,
        })

      if (!renewed) {
        const [after] = await tx
          .select({ status: invitations.status, lastSentAt: invitations.lastSentAt })
          .from(invitations)
          .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, orgId)))
        if (!after) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
        const retryAfterMs = after.lastSentAt.getTime() + cooldownMs - now.getTime()
        if ((after.status === 'pending' || after.status === 'expired') && retryAfterMs > 0) {
          return { ok: false, error: 'cooldown', message: `You can resend this invitation in ${Math.ceil(retryAfterMs / 1000)} seconds.`, retryAfterMs }
        }
        if (after.status === 'expired') {
          return { ok: false, error: 'not_pending', message: 'Another invitation to this address is already pending.' }
        }
        return { ok: false, error: 'not_pending', message: NOT_PENDING }
      }

      // An inviter whose account is gone is named by whoever resends (accept will still refuse it).
      const namedInviter = renewed.invitedBy ?? actorId
      const [ctx] = await tx
        .select({ orgName: organizations.name, inviterName: users.name, inviterEmail: users.email })
        .from(organizations)
        .leftJoin(users, eq(users.id, namedInviter))
        .where(eq(organizations.id, orgId))
      const grants = await tx
        .select({ name: projects.name, level: invitationProjectGrants.level })
        .from(invitationProjectGrants)
        .innerJoin(projects, and(eq(projects.id, invitationProjectGrants.projectId), eq(projects.organizationId, orgId)))
        .where(eq(invitationProjectGrants.invitationId, renewed.id))
        .orderBy(asc(projects.name))
      const render = await invitationEmailRenderer(
        {
          orgName: ctx.orgName,
          inviterName: ctx.inviterName,
          inviterEmail: ctx.inviterEmail ?? '',
          role: renewed.role,
          permissions: renewed.permissions,
          projectGrants: grants,
        },
        config,
        expiresAt,
      )
      const email = await enqueueEmail(tx, {
        kind: 'invitation',
        to: renewed.email,
        ...render(token),
        idempotencyKey: `invitation/${renewed.id}/${renewed.sendCount}`,
      })
      await setLastEmailIds(tx, orgId, [{ invitationId: renewed.id, emailId: email.id }])
      await recordAudit(tx, {
        organizationId: orgId,
        actorId,
        action: 'invitation.resent',
        targetType: 'invitation',
        targetId: renewed.id,
        data: { email: renewed.email, sendCount: renewed.sendCount },
      })
      return { ok: true, emailId: email.id }
    })
  } catch (err) {
    // Renewing an expired invitation raced a new invitation to the same address.
    if (isUniqueViolation(err, 'invitations_one_pending_per_email')) {
      return { ok: false, error: 'not_pending', message: 'Another invitation to this address is already pending.' }
    }
    throw err
  }
}

export type RevokeResult = { ok: true } | { ok: false; error: 'not_found' | 'forbidden' | 'not_pending'; message: string }

/** Revokes a pending or expired invitation; answered ones never move. Needs members:invite. */
export async function revokeInvitation(db: Db, params: { orgId: string; actorId: string; invitationId: string }): Promise<RevokeResult> {
  const { orgId, actorId, invitationId } = params
  if (!isUuid(orgId) || !isUuid(actorId)) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
  if (!isUuid(invitationId)) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }

  return db.transaction(async (txAny): Promise<RevokeResult> => {
    const tx = txAny as unknown as Db
    const actor = await readMembership(tx, orgId, actorId)
    if (!actor || !hasPermission(actor, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
    const [revoked] = await tx
      .update(invitations)
      .set({ status: 'revoked' })
      .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, orgId), inArray(invitations.status, ['pending', 'expired'])))
      .returning({ id: invitations.id, email: invitations.email })
    if (!revoked) {
      const [exists] = await tx
        .select({ status: invitations.status })
        .from(invitations)
        .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, orgId)))
      return exists ? { ok: false, error: 'not_pending', message: NOT_PENDING } : { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
    }
    await recordAudit(tx, {
      organizationId: orgId,
      actorId,
      action: 'invitation.revoked',
      targetType: 'invitation',
      targetId: revoked.id,
      data: { email: revoked.email },
    })
    return { ok: true }
  })
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
  }
}

export type RespondError = 'not_found' | 'expired' | 'revoked' | 'already_answered' | 'not_allowed' | 'already_member' | 'seat_limit'
type RespondFailure = { ok: false; error: RespondError; message: string }

const RESPOND_NOT_FOUND: RespondFailure = { ok: false, error: 'not_found', message: 'This invitation was not found.' }
export const SEAT_LIMIT_MESSAGE = 'This organization has no free seats. Ask an admin to free a seat.'
const NO_FREE_SEAT: RespondFailure = { ok: false, error: 'seat_limit', message: SEAT_LIMIT_MESSAGE }

/** Tells the inviter, in the transaction of the answer, if the inviter still has an account. */
async function notifyInviter(
  tx: Db,
  { inviterId, orgId, kind, email }: { inviterId: string | null; orgId: string; kind: 'invitation.accepted' | 'invitation.declined'; email: string },
) {
  if (!inviterId) return
  await tx.execute(sql`
    insert into ${notifications} (user_id, organization_id, kind, data)
    select ${users.id}, ${organizations.id}, ${kind}, jsonb_build_object('email', ${email}::text, 'orgName', ${organizations.name})
    from ${users} join ${organizations} on ${organizations.id} = ${orgId}
    where ${users.id} = ${inviterId}`)
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

/** Why a conditional update on an invitation did not apply, as the invitee may learn it. */
async function whyNotRespondable(tx: Db, invitationId: string, email: string, now: Date): Promise<RespondFailure> {
  const [row] = await tx
    .select({ status: invitations.status, email: invitations.email, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(eq(invitations.id, invitationId))
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
    case 'pending':
      if (row.expiresAt <= now) {
        return { ok: false, error: 'expired', message: 'This invitation has expired. Ask the person who invited you to send it again.' }
      }
      return { ok: false, error: 'already_answered', message: 'This invitation was answered at the same time elsewhere. Reload to see where it stands.' }
  }
}

/**
 * Accepts an invitation for the signed-in user whose email is the invited one (anyone else gets
 * not_found). In one transaction: the conditional state change, the inviter's rights checked
 * again now (no escalation, DESIGN.md section 3 rule 1), the membership and the project access.
 * Any refusal rolls everything back and leaves the invitation pending.
 */
export async function acceptInvitation(
  db: Db,
  params: { invitationId: string; userId: string; now?: Date },
): Promise<{ ok: true; organization: { id: string; name: string; slug: string } } | RespondFailure> {
  const { invitationId, userId } = params
  const now = params.now ?? new Date()
  if (!isUuid(invitationId) || !isUuid(userId)) return RESPOND_NOT_FOUND

  return transactionOrRefusal(db, async (tx) => {
    const email = await readUserEmail(tx, userId)
    if (!email) return RESPOND_NOT_FOUND
    // The organization lock comes before the invitation's row lock, in the order every seat change takes them.
    const [target] = await tx
      .select({ orgId: invitations.organizationId })
      .from(invitations)
      .where(and(eq(invitations.id, invitationId), eq(invitations.email, email)))
    const org = target ? await lockOrganization(tx, target.orgId) : null
    const [accepted] = await tx
      .update(invitations)
      .set({ status: 'accepted', respondedAt: now, respondedBy: userId })
      .where(and(eq(invitations.id, invitationId), eq(invitations.email, email), eq(invitations.status, 'pending'), gt(invitations.expiresAt, now)))
      .returning({
        id: invitations.id,
        orgId: invitations.organizationId,
        role: invitations.role,
        permissions: invitations.permissions,
        invitedBy: invitations.invitedBy,
      })
    if (!accepted) return whyNotRespondable(tx, invitationId, email, now)
    const { orgId } = accepted

    const grants = await tx
      .select({ projectId: invitationProjectGrants.projectId, level: invitationProjectGrants.level })
      .from(invitationProjectGrants)
      .innerJoin(projects, and(eq(projects.id, invitationProjectGrants.projectId), eq(projects.organizationId, orgId)))
      .where(eq(invitationProjectGrants.invitationId, accepted.id))

    const inviter = accepted.invitedBy ? await readMembership(tx, orgId, accepted.invitedBy) : null
    if (!inviter || !hasPermission(inviter, 'members:invite')) throw new Refusal(NOT_ALLOWED)
    const inviterLevels = await readProjectLevels(
      tx,
      orgId,
      accepted.invitedBy!,
      grants.map((g) => g.projectId),
    )
    const check = checkGrant(
      { role: inviter.role, permissions: inviter.permissions, projectLevels: inviterLevels },
      { role: accepted.role, permissions: accepted.permissions, projectGrants: grants },
    )
    if (!check.ok) throw new Refusal(NOT_ALLOWED)

    const [membership] = await tx
      .insert(memberships)
      .values({ organizationId: orgId, userId, role: accepted.role as Role, permissions: accepted.permissions, joinedAt: now })
      .onConflictDoNothing({ target: [memberships.organizationId, memberships.userId] })
      .returning({ id: memberships.id })
    if (!membership) {
      throw new Refusal<RespondFailure>({ ok: false, error: 'already_member', message: 'You are already a member of this organization.' })
    }
    // The pending invitation held its seat already; this only bites when the limit was lowered
    // below the members plus invitations since. Seats then go to whoever accepts first.
    if (org?.seatLimit != null) {
      const [{ members }] = await tx.select({ members: count() }).from(memberships).where(eq(memberships.organizationId, orgId))
      if (members > org.seatLimit) throw new Refusal(NO_FREE_SEAT)
    }

    if (grants.length) {
      await tx
        .insert(projectMembers)
        .values(grants.map((g) => ({ projectId: g.projectId, organizationId: orgId, userId, level: g.level })))
        .onConflictDoUpdate({
          target: [projectMembers.projectId, projectMembers.userId],
          // Enum order is view < edit < admin: keep whichever level is higher.
          set: { level: sql`greatest(${projectMembers.level}, excluded.level)` },
        })
    }

    await recordAudit(
      tx,
      {
        organizationId: orgId,
        actorId: userId,
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: accepted.id,
        data: { email, role: accepted.role, permissions: accepted.permissions, projectGrants: grants },
      },
      ...grants.map(
        (g): AuditEntry => ({
          organizationId: orgId,
          actorId: userId,
          action: 'project.access_granted',
          targetType: 'project',
          targetId: g.projectId,
          data: { userId, level: g.level, via: 'invitation', invitationId: accepted.id },
        }),
      ),
    )

    await notifyInviter(tx, { inviterId: accepted.invitedBy, orgId, kind: 'invitation.accepted', email })
    return { ok: true as const, organization: { id: org!.id, name: org!.name, slug: org!.slug } }
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
}

/**
 * The signed-in user's invitations that can still be answered (pending and unexpired), newest
 * first, and how many there are (for the bell). Two queries, on invitations_email_status_idx.
 */
export async function listOpenInvitationsForUser(
  db: Db,
  params: { userId: string; limit?: number; now?: Date },
): Promise<{ items: OpenInvitation[]; total: number }> {
  const { userId } = params
  const now = params.now ?? new Date()
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(params.limit ?? 20)))
  if (!isUuid(userId)) return { items: [], total: 0 }

  const open = and(
    eq(invitations.email, sql`(select invitee.email from users as invitee where invitee.id = ${userId})`),
    eq(invitations.status, 'pending'),
    gt(invitations.expiresAt, now),
  )
  // One query: the page and, in a window over all matches, how many there are (the bell's count).
  const rows = await db
    .select({
      id: invitations.id,
      orgName: organizations.name,
      orgSlug: organizations.slug,
      inviterName: users.name,
      inviterEmail: users.email,
      role: invitations.role,
      permissions: invitations.permissions,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(open)
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(limit)
  const total = rows[0]?.total ?? 0
  return {
    items: rows.map((r) => ({
      id: r.id,
      organization: { name: r.orgName, slug: r.orgSlug },
      inviter: r.inviterEmail ? { name: r.inviterName, email: r.inviterEmail } : null,
      role: r.role,
      permissions: r.permissions,
      expiresAt: r.expiresAt,
      createdAt: r.createdAt,
    })),
    total,
  }
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
        .where(and(eq(invitations.status, 'pending'), lte(invitations.expiresAt, now)))
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

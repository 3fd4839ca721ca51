import 'server-only'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '@/db/client'
import { enqueueEmailsSql } from '@/lib/data/outbox/enqueue-emails-sql'
import { renderInvitationTemplate } from '@/lib/email/templates/invitation-template'
import { hasPermission } from '@/lib/permissions'
import { recordAuditSql } from '../audit'
import { isUuid } from '../ids'
import { intColumn, jsonOf, parseRows } from '../parse-rows'
import { consumeRateLimitUnitsSql, rateLimitKey } from '../rate-limits'
import { MAX_SENDS_PER_INVITATION, sendLimitRefusal, type SendLimitRefusal } from './send-limits'
import {
  addMs,
  ANOTHER_PENDING,
  DAY_MS,
  FORBIDDEN_INVITE,
  INVITATIONS_PER_INVITER_PER_DAY,
  INVITATIONS_PER_ORG_PER_DAY,
  NOT_FOUND_INVITATION,
  NOT_PENDING,
  RESEND_COOLDOWN_MS,
  type InvitationConfig,
} from './shared'
import { hashToken, newToken } from './tokens'
import { isUniqueViolation, Refusal, transactionOrRefusal } from './transaction'

const lockedRow = z.object({ seat_limit: intColumn.nullable(), invitation_id: z.string().nullable() })

/** What the caller's check needs; the invitation's own columns are null when it was not found. */
const checkedRow = z
  .object({ role: z.enum(['owner', 'admin', 'member']).nullable(), permissions: z.array(z.string()).nullable(), id: z.string().nullable() })
  .loose()

/** The same row once the invitation was found. */
const currentRow = z.object({
  id: z.string(),
  email: z.string(),
  status: z.string(),
  expires_at_ms: z.number(),
  last_sent_at_ms: z.number(),
  send_count: intColumn,
  org_sent: intColumn,
  inviter_sent: intColumn,
  offered_role: z.enum(['admin', 'member']),
  offered_permissions: z.array(z.string()),
  is_member: z.boolean(),
  has_other_pending: z.boolean(),
  seats_used: intColumn.nullable(),
  org_name: z.string(),
  inviter_name: z.string().nullable(),
  inviter_email: z.string().nullable(),
  grants: jsonOf(z.array(z.object({ name: z.string(), level: z.enum(['view', 'edit', 'admin']) }))),
})

const writtenRow = z.object({ id: z.string().nullable(), send_count: intColumn, org_count: intColumn, inviter_count: intColumn })

type ResendResult =
  | { ok: true; emailId: string }
  | { ok: false; error: 'not_found' | 'forbidden' | 'not_pending' | 'cooldown' | 'already_member' | 'seat_limit'; message: string; retryAfterMs?: number }
  | SendLimitRefusal


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
 * organization does not exist. Raw SQL: the builder cannot lock a derived table in a lateral join.
 */
async function lockOrganizationAndInvitation(tx: Db, orgId: string, invitationId: string) {
  const [row] = parseRows(
    lockedRow,
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
 * MAX_SENDS_PER_INVITATION times. Five statements: the locks, one read, one write. The read and
 * the write are raw SQL: the read's correlated counts and the write's rate-limit upserts, update
 * and email and audit inserts as one CTE chain have no builder form that stays one statement.
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
      const [row] = parseRows(
        checkedRow,
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
      const actor = row.role ? { role: row.role, permissions: row.permissions ?? [] } : null
      if (!actor || !hasPermission(actor, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
      if (!row.id || !org.invitation_id) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
      const current = currentRow.parse(row)
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
      const template = await renderInvitationTemplate({
        appUrl: config.appUrl,
        orgName: current.org_name,
        inviterName: current.inviter_name,
        inviterEmail: current.inviter_email ?? '',
        role: current.offered_role,
        permissions: current.offered_permissions,
        projectGrants: current.grants,
        expiresAt,
      })
      const emailId = randomUUID()
      const one = sql`1`
      const [written] = parseRows(
        writtenRow,
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

import 'server-only'
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { invitations } from '@/db/schema'
import { renderInvitationTemplate } from '@/lib/email/templates/invitation-template'
import { checkGrant, hasPermission, type ProjectLevel, type Role } from '@/lib/permissions'
import { isValidEmail, normalizeEmail } from '@/lib/validations/common'
import { MAX_INVITES_AT_ONCE } from '@/lib/validations/invitation'
import { isUuid } from '../ids'
import { findLookalikeMembers } from './find-lookalike-members'
import { insertInvitationBatch, lockOrganizationForInvite, type InviteBatchRow } from './invite-batch'
import { markExpired } from './mark-expired'
import { addMs, DAY_MS, mergeGrants, PROJECT_NOT_FOUND, type InvitationConfig, type ProjectGrantInput } from './shared'

export type InviteOutcome = 'invited' | 'already_member' | 'already_invited' | 'lookalike' | 'not_invited' | 'invalid' | 'rate_limited' | 'seat_limit'

/** One address of an invite; lookalikeOf is the member's address a lookalike one reads as. */
interface InviteResult {
  email: string
  outcome: InviteOutcome
  invitationId?: string
  lookalikeOf?: string
}

type CreateInvitationsResult =
  | { ok: true; results: InviteResult[]; emailIds: string[] }
  | { ok: false; error: 'forbidden' | 'escalation' | 'not_found'; message: string; field?: 'role' | 'permissions' | 'projectGrants' }

const FORBIDDEN_CREATE = 'You do not have permission to invite members.'

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

/**
 * Invites each address (at most 50). The actor must hold members:invite and may offer only
 * what it holds (no escalation, owners exempt); the projects must belong to the organization.
 * Each address is reported: invited, already a member, already invited, a lookalike of a member's
 * address (not invited), invalid, over the seat limit or rate limited. A caller without
 * members:read learns nothing of who is a member or invited: those rows say only "not invited"
 * (issue 15). Under the organization lock, one statement writes the invitations, project grants,
 * emails and audit events of the whole batch (four statements in all, whatever the number of
 * addresses); the returned email ids are for immediate delivery after the response.
 *
 * Always under the organization lock (issue 16): an unlocked path for organizations without a
 * seat limit saved two statements per invite, which no one waiting on the page can notice, and
 * needed a second re-check path for a membership changed while it waited.
 */
export async function createInvitations(
  db: Db,
  input: { orgId: string; actorId: string; emails: string[]; role: 'admin' | 'member'; permissions: string[]; projectGrants: ProjectGrantInput[] },
  config: InvitationConfig,
): Promise<CreateInvitationsResult> {
  const now = config.now ?? new Date()
  const { orgId, actorId, role } = input
  const permissions = [...new Set(input.permissions)]
  const projectGrants = mergeGrants(input.projectGrants)
  const emails = [...new Set(input.emails.map(normalizeEmail))]
  if (emails.length > MAX_INVITES_AT_ONCE) throw new Error(`At most ${MAX_INVITES_AT_ONCE} addresses can be invited at once`)
  if (!isUuid(orgId) || !isUuid(actorId)) return { ok: false, error: 'forbidden', message: FORBIDDEN_CREATE }
  if (projectGrants.some((g) => !isUuid(g.projectId))) return { ok: false, error: 'not_found', message: PROJECT_NOT_FOUND }
  // Read before the caller's check, but answers nothing to a caller without members:invite.
  const lookalikes = await findLookalikeMembers(db, { orgId, actorId, emails: emails.filter((e) => isValidEmail(e)) })
  const valid = emails.filter((e) => isValidEmail(e) && !lookalikes.has(e))
  const projectIds = projectGrants.map((g) => g.projectId)
  const expiresAt = addMs(now, config.ttlDays * DAY_MS)

  const reported = (rows: InviteBatchRow[], actor: { role: Role; permissions: readonly string[] }): CreateInvitationsResult => {
    const outcomes = new Map<string, Omit<InviteResult, 'email'>>([
      ...emails.filter((e) => !isValidEmail(e)).map((e) => [e, { outcome: 'invalid' as const }] as const),
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

  return db.transaction(async (txAny): Promise<CreateInvitationsResult> => {
    const tx = txAny as unknown as Db
    const org = await lockOrganizationForInvite(tx, { orgId, actorId, projectIds, emails: valid, now })
    if (!org || !hasPermission(org, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_CREATE }
    if (org.projects.length !== projectIds.length) return { ok: false, error: 'not_found', message: PROJECT_NOT_FOUND }
    const grantorLevels = new Map(org.projects.flatMap((p) => (p.level ? [[p.id, p.level as ProjectLevel] as const] : [])))
    const check = checkGrant({ role: org.role, permissions: org.permissions, projectLevels: grantorLevels }, { role, permissions, projectGrants })
    if (!check.ok) return { ok: false, error: 'escalation', field: check.field, message: check.message }
    if (!valid.length) return reported([], org)

    const names = new Map(org.projects.map((p) => [p.id, p.name]))
    const email = await renderInvitationTemplate({
      appUrl: config.appUrl,
      orgName: org.org_name,
      inviterName: org.inviter_name,
      inviterEmail: org.inviter_email,
      role,
      permissions,
      projectGrants: projectGrants.map((g) => ({ name: names.get(g.projectId) ?? '', level: g.level })),
      expiresAt,
    })
    // Pending invitations past their expiry give way to new ones (rare: the sweep usually got there first).
    if (org.stale.length) await markExpired(tx, and(inArray(invitations.id, org.stale), eq(invitations.organizationId, orgId)), now)
    const rows = await insertInvitationBatch(tx, { orgId, actorId, role, permissions, projectGrants, emails: valid, now, expiresAt, email })
    return reported(rows, org)
  })
}

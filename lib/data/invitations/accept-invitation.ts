import 'server-only'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '@/db/client'
import { canInviterStillGrant, type ProjectLevel } from '@/lib/permissions'
import { normalizeEmail } from '@/lib/validations/common'
import { recordAuditRowsSql, type AuditEntry } from '../audit'
import { isUuid } from '../ids'
import { intColumn, jsonOf, parseRows } from '../parse-rows'
import { notifyInviterSql } from './notify-inviter'
import { ALREADY_MEMBER, NO_FREE_SEAT, NOT_ALLOWED, RESPOND_NOT_FOUND, respondFailure, type RespondFailure } from './respond-failure'
import { textArray } from './shared'
import { Refusal, transactionOrRefusal } from './transaction'

const level = z.enum(['view', 'edit', 'admin'])

const lockedRow = z.object({
  email: z.string(),
  org_id: z.string().nullable(),
  name: z.string().nullable(),
  slug: z.string().nullable(),
  seat_limit: intColumn.nullable(),
  invitation_id: z.string().nullable(),
})

/** What the conditional update returned with what the checks need; see appliedRow once it applied. */
const acceptedRow = z.object({
  id: z.string().nullable(),
  invited_by: z.string().nullable(),
  inviter_role: z.enum(['owner', 'admin', 'member']).nullable(),
  inviter_permissions: z.array(z.string()).nullable(),
  is_member: z.boolean(),
  members: intColumn,
  status: z.string().nullable(),
  invited_email: z.string().nullable(),
  expires_at_ms: z.number().nullable(),
}).loose()

const appliedRow = z.object({
  id: z.string(),
  role: z.enum(['admin', 'member']),
  permissions: z.array(z.string()),
  grants: jsonOf(z.array(z.object({ projectId: z.string(), level, inviterLevel: level.nullable() }))),
})

/**
 * Accepts an invitation for the signed-in user whose email is the invited one (anyone else gets
 * not_found). In one transaction: the conditional state change, the inviter's rights checked
 * again now (no escalation, DESIGN.md section 3 rule 1), the membership and the project access.
 * Any refusal rolls everything back and leaves the invitation pending. Five statements: the
 * locks, the conditional update with what the checks need, the writes. Raw SQL: the builder
 * cannot lock rows of a lateral join, nor read the update's RETURNING joined with other tables in
 * one statement; the writes are one CTE chain so that the budget holds whatever the grants.
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
    const [locked] = parseRows(
      lockedRow,
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
    if (!locked?.org_id || locked.name === null || locked.slug === null || !locked.invitation_id) return RESPOND_NOT_FOUND
    const email = normalizeEmail(locked.email)
    const org = { id: locked.org_id, name: locked.name, slug: locked.slug }
    const nowSql = sql`${now.toISOString()}::timestamptz`

    const [accepted] = parseRows(
      acceptedRow,
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

    const applied = appliedRow.parse(accepted)
    const grantRows = applied.grants
    const grants = grantRows.map((g) => ({ projectId: g.projectId, level: g.level }))
    const inviterLevels = new Map(grantRows.filter((g) => g.inviterLevel).map((g) => [g.projectId, g.inviterLevel as ProjectLevel]))
    const inviter = accepted.inviter_role ? { role: accepted.inviter_role, permissions: accepted.inviter_permissions ?? [], projectLevels: inviterLevels } : null
    if (!canInviterStillGrant(inviter, { role: applied.role, permissions: applied.permissions, projectGrants: grants })) throw new Refusal(NOT_ALLOWED)
    if (accepted.is_member) throw new Refusal(ALREADY_MEMBER)
    // The pending invitation held its seat already; this only bites when the limit was lowered
    // below the members plus invitations since. Seats then go to whoever accepts first.
    if (locked.seat_limit != null && accepted.members + 1 > locked.seat_limit) throw new Refusal(NO_FREE_SEAT)

    const audit: AuditEntry[] = [
      {
        organizationId: org.id,
        actorId: userId,
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: applied.id,
        data: { email, role: applied.role, permissions: applied.permissions, projectGrants: grants },
      },
      ...grants.map(
        (g): AuditEntry => ({
          organizationId: org.id,
          actorId: userId,
          action: 'project.access_granted',
          targetType: 'project',
          targetId: g.projectId,
          data: { userId, level: g.level, via: 'invitation', invitationId: applied.id },
        }),
      ),
    ]
    const [joined] = parseRows(
      z.object({ membership_id: z.string().nullable() }),
      await tx.execute(sql`
        with joined as (
          insert into memberships (organization_id, user_id, role, permissions, joined_at)
          values (${org.id}, ${userId}, ${applied.role}::member_role, ${textArray(applied.permissions)}, ${nowSql})
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
      throw new Refusal(ALREADY_MEMBER)
    }
    return { ok: true as const, organization: org }
  })
}

import 'server-only'
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '@/db/client'
import { enqueueEmailsSql } from '@/lib/data/outbox/enqueue-emails-sql'
import type { InvitationTemplate } from '@/lib/email/templates/invitation-template'
import { recordAuditSql } from '../audit'
import { intColumn, jsonOf, parseRows } from '../parse-rows'
import { consumeRateLimitUnitsSql, rateLimitKey, unitsWithinSql } from '../rate-limits'
import { DAY_MS, INVITATIONS_PER_INVITER_PER_DAY, INVITATIONS_PER_ORG_PER_DAY, textArray, type ProjectGrantInput } from './shared'
import { hashToken, newToken } from './tokens'


const organizationRow = z.object({
  org_name: z.string(),
  seat_limit: intColumn.nullable(),
  role: z.enum(['owner', 'admin', 'member']),
  permissions: z.array(z.string()),
  inviter_name: z.string().nullable(),
  inviter_email: z.string(),
  projects: jsonOf(z.array(z.object({ id: z.string(), name: z.string(), level: z.enum(['view', 'edit', 'admin']).nullable() }))),
  stale: jsonOf(z.array(z.string())),
})

/**
 * The organization with what an invite needs to know about the actor and the projects, taking the
 * organization lock and a share lock on the actor's membership: both rows are read as they stand
 * once the locks are granted (READ COMMITTED re-reads a locked row changed meanwhile), and the
 * membership cannot change until commit. Null when the actor is not a member. Raw SQL: the
 * builder cannot lock two tables of a join (`for ... of o, m`).
 */
export async function lockOrganizationForInvite(
  tx: Db,
  { orgId, actorId, projectIds, emails, now }: { orgId: string; actorId: string; projectIds: string[]; emails: string[]; now: Date },
) {
  const [row] = parseRows(
    organizationRow,
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
      join memberships m on m.organization_id = o.id and m.user_id = ${actorId}
      join users u on u.id = m.user_id
      where o.id = ${orgId}
      for no key update of o
      for share of m`),
  )
  return row ?? null
}

interface InviteBatch {
  orgId: string
  actorId: string
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: ProjectGrantInput[]
  /** Valid, normalized, distinct; seats and rate limits go to the first ones. */
  emails: string[]
  now: Date
  expiresAt: Date
  email: InvitationTemplate
}

const batchRow = z.object({
  email: z.string(),
  is_member: z.boolean(),
  pending_id: z.string().nullable(),
  rank: intColumn.nullable(),
  free: intColumn.nullable(),
  allowed: intColumn,
  invitation_id: z.string().nullable(),
  email_id: z.string().nullable(),
})
export type InviteBatchRow = z.infer<typeof batchRow>

/**
 * One statement for the whole batch, run under the organization lock: classifies every address
 * (member, already invited, new), gives seats and then rate-limit units to the first new ones, and
 * writes their invitations, project grants, emails and audit events. Its snapshot is taken after
 * the lock, so the seat count and the classification are current until commit. Raw SQL: the
 * builder has no jsonb_to_recordset input, window functions over it, or ON CONFLICT on a partial
 * index inside a CTE chain; as separate builder statements a batch of 50 would cost 50 round trips.
 */
export async function insertInvitationBatch(tx: Db, b: InviteBatch): Promise<InviteBatchRow[]> {
  const tokens = b.emails.map(() => newToken())
  const input = b.emails.map((email, i) => ({ email, token: tokens[i], token_hash: hashToken(tokens[i]), email_id: randomUUID(), ord: i + 1 }))
  const grants = b.projectGrants.map((g) => ({ project_id: g.projectId, level: g.level }))
  const auditData = { role: b.role, permissions: b.permissions, projectGrants: b.projectGrants }
  const units = sql`(select count(*) from seated)`
  const now = sql`${b.now.toISOString()}::timestamptz`
  return parseRows(
    batchRow,
    await tx.execute(sql`
      with input as (
        select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as i(email text, token text, token_hash text, email_id uuid, ord int)
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
        where not c.is_member and c.pending_id is null
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
        ins.id as invitation_id, ins.last_email_id as email_id
      from classified c
      left join candidates ca on ca.email = c.email
      left join inserted ins on ins.email = c.email
      order by c.ord`),
  )
}

import 'server-only'
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { auditEvents, memberships, organizations, projects, users } from '@/db/schema'
import { decodeCursor, encodeCursor } from './cursor'
import { isUuid } from './ids'

export interface AuditEntry {
  organizationId: string
  actorId: string | null
  action: string
  targetType: string
  targetId: string
  data?: Record<string, unknown>
}

/** Appends audit events; call it inside the transaction of the change it records. */
export async function recordAudit(db: Db, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  await db.insert(auditEvents).values(entries.map((e) => ({ ...e, data: e.data ?? {} })))
}

/**
 * recordAudit as the body of a data-modifying CTE, so a change and its audit events are one
 * statement: `source` is a SELECT of (organization_id, actor_id, action, target_type, target_id, data).
 */
export function recordAuditSql(source: SQL): SQL {
  return sql`insert into audit_events (organization_id, actor_id, action, target_type, target_id, data) ${source}`
}

/** recordAuditSql for entries known up front. */
export function recordAuditRowsSql(entries: AuditEntry[]): SQL {
  const rows = entries.map((e) => ({
    organization_id: e.organizationId,
    actor_id: e.actorId,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    data: e.data ?? {},
  }))
  return recordAuditSql(sql`
    select organization_id, actor_id, action, target_type, target_id, data
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as e(organization_id uuid, actor_id uuid, action text, target_type text, target_id text, data jsonb)`)
}

export interface AuditEventRow {
  id: string
  action: string
  actor: { name: string | null; email: string } | null
  targetType: string
  targetId: string
  /** What the target is called: a person's email, a project's name, an organization's name. */
  targetLabel: string | null
  /** Project access events: whose access it was (current email, else the one recorded) and the level granted. */
  subject: { email: string; level: string | null } | null
  data: Record<string, unknown>
  createdAt: Date
}

const MAX_AUDIT_PAGE = 100

/**
 * The organization's audit log, newest first, keyset-paginated, optionally one action only;
 * owners and admins only (null otherwise). Read from audit_events_org_created_idx, or
 * audit_events_org_action_created_idx when filtered; `actions` lists the distinct actions for
 * the filter by skipping through the latter index rather than reading every event.
 */
export async function listAuditEvents(
  db: Db,
  params: { orgId: string; actorId: string; action?: string | null; limit?: number; cursor?: string | null },
): Promise<{ items: AuditEventRow[]; nextCursor: string | null; actions: string[] } | null> {
  const { orgId, actorId } = params
  if (!isUuid(orgId) || !isUuid(actorId)) return null
  const [actor] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
  if (!actor || (actor.role !== 'owner' && actor.role !== 'admin')) return null

  const limit = Math.max(1, Math.min(MAX_AUDIT_PAGE, Math.floor(params.limit ?? 50)))
  const after = decodeCursor(params.cursor)
  const action = params.action || null
  const [rows, actionRows] = await Promise.all([
    db
      .select({
        id: auditEvents.id,
        action: auditEvents.action,
        actorName: users.name,
        actorEmail: users.email,
        targetType: auditEvents.targetType,
        targetId: auditEvents.targetId,
        data: auditEvents.data,
        createdAt: auditEvents.createdAt,
      })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorId))
      .where(
        and(
          eq(auditEvents.organizationId, orgId),
          action ? eq(auditEvents.action, action) : undefined,
          after ? sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
      .limit(limit + 1),
    db.execute<{ action: string }>(sql`
      with recursive a(action) as (
        (select action from audit_events where organization_id = ${orgId} order by action limit 1)
        union all
        select (select e.action from audit_events e where e.organization_id = ${orgId} and e.action > a.action order by e.action limit 1)
        from a where a.action is not null
      )
      select action from a where action is not null`),
  ])
  const page = rows.slice(0, limit)

  // Labels for targets that are rows of their own: members by their current email, projects by their current name.
  const isAccessEvent = (r: (typeof page)[number]) => r.action === 'project.access_granted' || r.action === 'project.access_removed'
  const subjectId = (r: (typeof page)[number]) => (isAccessEvent(r) && typeof r.data.userId === 'string' && isUuid(r.data.userId) ? r.data.userId : null)
  const memberIds = [
    ...new Set([
      ...page.filter((r) => r.targetType === 'member' && isUuid(r.targetId)).map((r) => r.targetId),
      ...page.flatMap((r) => subjectId(r) ?? []),
    ]),
  ]
  const projectIds = [...new Set(page.filter((r) => r.targetType === 'project' && isUuid(r.targetId)).map((r) => r.targetId))]
  const [people, projectRows, org] = await Promise.all([
    memberIds.length ? db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, memberIds)) : [],
    projectIds.length
      ? db.select({ id: projects.id, name: projects.name }).from(projects).where(and(eq(projects.organizationId, orgId), inArray(projects.id, projectIds)))
      : [],
    page.some((r) => r.targetType === 'organization')
      ? db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId))
      : [],
  ])
  const emails = new Map(people.map((p) => [p.id, p.email]))
  const projectNames = new Map(projectRows.map((p) => [p.id, p.name]))
  const text = (v: unknown) => (typeof v === 'string' ? v : null)
  const labelOf = (r: (typeof page)[number]): string | null => {
    switch (r.targetType) {
      case 'member':
        return emails.get(r.targetId) ?? text(r.data.email)
      case 'project':
        return projectNames.get(r.targetId) ?? text(r.data.name)
      case 'organization':
        return org[0]?.name ?? text(r.data.name)
      default:
        return text(r.data.email) ?? text(r.data.name)
    }
  }

  const last = page[page.length - 1]
  return {
    items: page.map((r) => ({
      id: r.id,
      action: r.action,
      actor: r.actorEmail ? { name: r.actorName, email: r.actorEmail } : null,
      targetType: r.targetType,
      targetId: r.targetId,
      targetLabel: labelOf(r),
      subject: (() => {
        const id = subjectId(r)
        const email = (id && emails.get(id)) ?? text(r.data.email)
        return isAccessEvent(r) && email ? { email, level: text(r.data.level) } : null
      })(),
      data: r.data,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    actions: (actionRows as unknown as { rows: { action: string }[] }).rows.map((r) => r.action),
  }
}

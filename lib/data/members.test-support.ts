// Shared set-up for the members, projects, audit and seat tests (not a test file itself).
import { and, asc, count, eq } from 'drizzle-orm'
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

/** Row counts of every table these functions may write, plus the organizations' seat limits: a refusal must leave all of it unchanged. */
export async function snapshot(db: Db) {
  const tables = { invitations, invitationProjectGrants, memberships, projectMembers, projects, emailOutbox, auditEvents, notifications, users }
  const out: Record<string, unknown> = {}
  for (const [name, table] of Object.entries(tables)) {
    const [{ n }] = await db.select({ n: count() }).from(table)
    out[name] = n
  }
  out.memberRoles = (await db.select({ u: memberships.userId, r: memberships.role, p: memberships.permissions }).from(memberships))
    .map((m) => `${m.u}:${m.r}:${[...m.p].sort().join('+')}`)
    .sort()
  out.projectLevels = (await db.select({ p: projectMembers.projectId, u: projectMembers.userId, l: projectMembers.level }).from(projectMembers))
    .map((m) => `${m.p}:${m.u}:${m.l}`)
    .sort()
  out.projectNames = (await db.select({ id: projects.id, name: projects.name }).from(projects)).map((p) => `${p.id}:${p.name}`).sort()
  out.seatLimits = (await db.select({ id: organizations.id, s: organizations.seatLimit }).from(organizations)).map((o) => `${o.id}:${o.s}`).sort()
  out.invitationOffers = (await db.select({ id: invitations.id, r: invitations.role, p: invitations.permissions, by: invitations.invitedBy }).from(invitations))
    .map((i) => `${i.id}:${i.r}:${i.p.join('+')}:${i.by}`)
    .sort()
  return out
}

/** The organization's audit events with this action, oldest first. */
export async function auditOf(db: Db, orgId: string, action: string) {
  return db
    .select({ actorId: auditEvents.actorId, targetType: auditEvents.targetType, targetId: auditEvents.targetId, data: auditEvents.data })
    .from(auditEvents)
    .where(and(eq(auditEvents.organizationId, orgId), eq(auditEvents.action, action)))
    .orderBy(asc(auditEvents.createdAt), asc(auditEvents.id))
}

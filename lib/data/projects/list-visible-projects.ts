import 'server-only'
import { and, asc, eq, isNotNull, or, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, projectMembers, projects } from '@/db/schema'
import { projectCapabilities, type ProjectCapabilities, type ProjectLevel } from '@/lib/permissions'
import { isUuid } from '../ids'
import { membershipHolds } from '../permission-sql'

export interface VisibleProject {
  id: string
  name: string
  level: ProjectLevel
  /** What the caller may do to it (projectCapabilities of its level). */
  can: ProjectCapabilities
}

/**
 * The projects a member may see, with the member's level on each (effectiveProjectLevel, in
 * SQL): all of them for owners, admins and holders of projects:manage_all (as admin), otherwise
 * those with a project level. One query, starting from the caller's own membership row (never
 * from what a caller claims).
 */
export async function listVisibleProjects(db: Db, { orgId, userId, limit = 200 }: { orgId: string; userId: string; limit?: number }): Promise<VisibleProject[]> {
  if (!isUuid(orgId) || !isUuid(userId)) return []
  const seesAll = membershipHolds('projects:manage_all')
  const rows = await db
    .select({
      id: projects.id,
      name: projects.name,
      level: sql<ProjectLevel>`case when ${seesAll} then 'admin' else ${projectMembers.level}::text end`,
    })
    .from(memberships)
    .innerJoin(projects, eq(projects.organizationId, memberships.organizationId))
    .leftJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, memberships.userId)))
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId), or(seesAll, isNotNull(projectMembers.level))))
    .orderBy(asc(projects.name), asc(projects.id))
    .limit(limit)
  return rows.map((r) => ({ ...r, can: projectCapabilities(r.level) }))
}

import 'server-only'
import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { projectMembers, projects } from '@/db/schema'
import { hasPermission, type OrgPermission, type ProjectLevel, type Role } from '@/lib/permissions'

export interface VisibleProject {
  id: string
  name: string
  level: ProjectLevel
}

/**
 * The projects a member may see: all of them for owners and holders of
 * projects:manage_all (as admin), otherwise those with a project level.
 */
export async function listVisibleProjects(
  db: Db,
  { orgId, userId, role, permissions, limit = 200 }: { orgId: string; userId: string; role: Role; permissions: OrgPermission[]; limit?: number },
): Promise<VisibleProject[]> {
  if (role === 'owner' || hasPermission({ role, permissions }, 'projects:manage_all')) {
    const rows = await db
      .select({ id: projects.id, name: projects.name })
      .from(projects)
      .where(eq(projects.organizationId, orgId))
      .orderBy(asc(projects.name), asc(projects.id))
      .limit(limit)
    return rows.map((r) => ({ ...r, level: 'admin' as const }))
  }
  return db
    .select({ id: projects.id, name: projects.name, level: projectMembers.level })
    .from(projectMembers)
    .innerJoin(projects, and(eq(projects.id, projectMembers.projectId), eq(projects.organizationId, orgId)))
    .where(and(eq(projectMembers.organizationId, orgId), eq(projectMembers.userId, userId)))
    .orderBy(asc(projects.name), asc(projects.id))
    .limit(limit)
}

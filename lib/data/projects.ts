import 'server-only'
import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, projectMembers, projects } from '@/db/schema'
import { effectivePermissions, hasPermission, type OrgPermission, type ProjectLevel, type Role } from '@/lib/permissions'
import { recordAudit } from './audit'

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

/** Creates a project; needs projects:create. The creator becomes the project's admin. */
export async function createProject(
  db: Db,
  { orgId, actorId, name }: { orgId: string; actorId: string; name: string },
): Promise<{ ok: true; project: { id: string; name: string } } | { ok: false; error: 'forbidden'; message: string }> {
  return db.transaction(async (tx) => {
    const [actor] = await tx
      .select({ role: memberships.role, permissions: memberships.permissions })
      .from(memberships)
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
      .for('share')
    if (!actor || !hasPermission(actor, 'projects:create')) {
      return { ok: false as const, error: 'forbidden' as const, message: 'You do not have permission to create projects.' }
    }
    const [project] = await tx.insert(projects).values({ organizationId: orgId, name, createdBy: actorId }).returning({ id: projects.id, name: projects.name })
    await tx.insert(projectMembers).values({ projectId: project.id, organizationId: orgId, userId: actorId, level: 'admin' })
    await recordAudit(
      tx,
      { organizationId: orgId, actorId, action: 'project.created', targetType: 'project', targetId: project.id, data: { name } },
      { organizationId: orgId, actorId, action: 'project.access_granted', targetType: 'project', targetId: project.id, data: { userId: actorId, level: 'admin' } },
    )
    return { ok: true as const, project }
  })
}

/**
 * The projects whose access the caller may hand out, each with the highest level
 * it may grant: every project at admin for owners and holders of projects:manage_all,
 * otherwise its own projects up to its own level.
 */
export async function listGrantableProjects(db: Db, { orgId, actorId }: { orgId: string; actorId: string }): Promise<VisibleProject[]> {
  const [actor] = await db
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
  if (!actor) return []
  return listVisibleProjects(db, { orgId, userId: actorId, role: actor.role, permissions: effectivePermissions(actor.role, actor.permissions) })
}

import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, projectMembers, projects } from '@/db/schema'
import { hasPermission } from '@/lib/permissions'
import { recordAudit } from '../audit'

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

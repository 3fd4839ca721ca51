import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { projects } from '@/db/schema'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { NOT_FOUND_PROJECT, NOT_PROJECT_ADMIN, readProjectForActor } from './shared'

/**
 * Deletes a project with everyone's access to it and the invitation grants for it, where
 * projectCapabilities says delete (admin level on it).
 */
export async function deleteProject(
  db: Db,
  { orgId, actorId, projectId }: { orgId: string; actorId: string; projectId: string },
): Promise<{ ok: true } | { ok: false; error: 'not_found' | 'forbidden'; message: string }> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(projectId)) return { ok: false, error: 'not_found', message: NOT_FOUND_PROJECT }
  return db.transaction(async (txAny) => {
    const tx = txAny as unknown as Db
    const project = await readProjectForActor(tx, orgId, actorId, projectId, true)
    if (!project) return { ok: false as const, error: 'not_found' as const, message: NOT_FOUND_PROJECT }
    if (!project.can.delete) return { ok: false as const, error: 'forbidden' as const, message: NOT_PROJECT_ADMIN }
    const [deleted] = await tx
      .delete(projects)
      .where(and(eq(projects.id, projectId), eq(projects.organizationId, orgId)))
      .returning({ id: projects.id, name: projects.name })
    if (!deleted) return { ok: false as const, error: 'not_found' as const, message: NOT_FOUND_PROJECT }
    await recordAudit(tx, { organizationId: orgId, actorId, action: 'project.deleted', targetType: 'project', targetId: projectId, data: { name: deleted.name } })
    return { ok: true as const }
  })
}

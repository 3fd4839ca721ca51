import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { projects } from '@/db/schema'
import { normalizeProjectName } from '@/lib/validations/project-access'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { NOT_FOUND_PROJECT, NOT_PROJECT_ADMIN, readProjectForActor } from './shared'

export type RenameProjectResult = { ok: true } | { ok: false; error: 'not_found' | 'forbidden' | 'invalid'; message: string; field?: 'name' }

/** Renames a project, where projectCapabilities says rename (admin level on it). */
export async function renameProject(
  db: Db,
  { orgId, actorId, projectId, name: rawName }: { orgId: string; actorId: string; projectId: string; name: string },
): Promise<RenameProjectResult> {
  const name = normalizeProjectName(rawName)
  if (!name.ok) return { ok: false, error: 'invalid', field: 'name', message: name.message }
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(projectId)) return { ok: false, error: 'not_found', message: NOT_FOUND_PROJECT }
  return db.transaction(async (txAny): Promise<RenameProjectResult> => {
    const tx = txAny as unknown as Db
    const project = await readProjectForActor(tx, orgId, actorId, projectId, true)
    if (!project) return { ok: false, error: 'not_found', message: NOT_FOUND_PROJECT }
    if (!project.can.rename) return { ok: false, error: 'forbidden', message: NOT_PROJECT_ADMIN }
    const [locked] = await tx
      .select({ name: projects.name })
      .from(projects)
      .where(and(eq(projects.id, projectId), eq(projects.organizationId, orgId)))
      .for('update')
    if (!locked) return { ok: false, error: 'not_found', message: NOT_FOUND_PROJECT }
    if (locked.name === name.value) return { ok: true }
    await tx
      .update(projects)
      .set({ name: name.value })
      .where(and(eq(projects.id, projectId), eq(projects.organizationId, orgId)))
    await recordAudit(tx, {
      organizationId: orgId,
      actorId,
      action: 'project.renamed',
      targetType: 'project',
      targetId: projectId,
      data: { before: locked.name, name: name.value },
    })
    return { ok: true }
  })
}

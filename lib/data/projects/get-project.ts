import 'server-only'
import type { Db } from '@/db/client'
import type { ProjectCapabilities, ProjectLevel } from '@/lib/permissions'
import { isUuid } from '../ids'
import { readProjectForActor } from './shared'

export interface ProjectView {
  id: string
  name: string
  createdAt: Date
  myLevel: ProjectLevel
  /** What the caller may do to it (projectCapabilities): the project page renders exactly this. */
  can: ProjectCapabilities
}

/** The project with the actor's level on it and what that allows; null when the actor cannot see it. */
export async function getProject(db: Db, { orgId, actorId, projectId }: { orgId: string; actorId: string; projectId: string }): Promise<ProjectView | null> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(projectId)) return null
  return readProjectForActor(db, orgId, actorId, projectId)
}

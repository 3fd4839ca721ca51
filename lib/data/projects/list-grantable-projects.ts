import 'server-only'
import type { Db } from '@/db/client'
import { listVisibleProjects, type VisibleProject } from './list-visible-projects'

/**
 * The projects whose access the caller may hand out, each with the highest level it may grant:
 * what it sees, at its own level (checkGrant's rule), so the same query as listVisibleProjects.
 */
export async function listGrantableProjects(db: Db, { orgId, actorId }: { orgId: string; actorId: string }): Promise<VisibleProject[]> {
  return listVisibleProjects(db, { orgId, userId: actorId })
}

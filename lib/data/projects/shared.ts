import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, projectMembers, projects } from '@/db/schema'
import { effectiveProjectLevel, projectCapabilities, type ProjectLevel } from '@/lib/permissions'

export const NOT_FOUND_PROJECT = 'This project was not found.'
export const NOT_PROJECT_ADMIN = 'You need admin access to this project to do that.'

/**
 * The project, the actor's level on it (effectiveProjectLevel) and what that level allows
 * (projectCapabilities), read in one query. null when the project is not in the organization,
 * the actor is not a member, or the actor has no level on it. With `lock`, the actor's
 * membership is share-locked, so it cannot be removed or changed before the caller commits.
 */
export async function readProjectForActor(db: Db, orgId: string, actorId: string, projectId: string, lock = false) {
  const query = db
    .select({
      id: projects.id,
      name: projects.name,
      createdAt: projects.createdAt,
      role: memberships.role,
      permissions: memberships.permissions,
      level: projectMembers.level,
    })
    .from(projects)
    .innerJoin(memberships, and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    .leftJoin(
      projectMembers,
      and(eq(projectMembers.projectId, projects.id), eq(projectMembers.organizationId, orgId), eq(projectMembers.userId, actorId)),
    )
    .where(and(eq(projects.id, projectId), eq(projects.organizationId, orgId)))
  const [row] = lock ? await query.for('share', { of: memberships }) : await query
  if (!row) return null
  const myLevel: ProjectLevel | null = effectiveProjectLevel(row, row.level)
  if (!myLevel) return null
  return { id: row.id, name: row.name, createdAt: row.createdAt, myLevel, can: projectCapabilities(myLevel) }
}

import 'server-only'
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { projectMembers, users } from '@/db/schema'
import type { ProjectLevel } from '@/lib/permissions'
import { decodeCursor, encodeCursor } from '../cursor'
import { isUuid } from '../ids'
import { readProjectForActor } from './shared'

export interface ProjectMemberRow {
  userId: string
  name: string | null
  email: string
  level: ProjectLevel
}

/** Who has explicit access to the project, newest grant first; null when the actor cannot see the project. */
export async function listProjectMembers(
  db: Db,
  { orgId, actorId, projectId, limit = 50, cursor }: { orgId: string; actorId: string; projectId: string; limit?: number; cursor?: string | null },
): Promise<{ items: ProjectMemberRow[]; nextCursor: string | null } | null> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(projectId)) return null
  if (!(await readProjectForActor(db, orgId, actorId, projectId))?.can.view) return null
  const size = Math.min(Math.max(Math.floor(limit), 1), 100)
  const after = decodeCursor(cursor)
  const rows = await db
    .select({ userId: projectMembers.userId, name: users.name, email: users.email, level: projectMembers.level, createdAt: projectMembers.createdAt })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(
      and(
        eq(projectMembers.projectId, projectId),
        eq(projectMembers.organizationId, orgId),
        after ? sql`(${projectMembers.createdAt}, ${projectMembers.userId}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(projectMembers.createdAt), desc(projectMembers.userId))
    .limit(size + 1)
  const page = rows.slice(0, size)
  const last = page[page.length - 1]
  return {
    items: page.map((r) => ({ userId: r.userId, name: r.name, email: r.email, level: r.level })),
    nextCursor: rows.length > size && last ? encodeCursor(last.createdAt, last.userId) : null,
  }
}

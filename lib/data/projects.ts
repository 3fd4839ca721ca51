import 'server-only'
import { and, asc, desc, eq, isNotNull, or, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, projectMembers, projects, users } from '@/db/schema'
import { effectivePermissions, hasPermission, isProjectLevel, levelAtLeast, type OrgPermission, type ProjectLevel, type Role } from '@/lib/permissions'
import { normalizeEmail } from '@/lib/validations/common'
import { normalizeProjectName } from '@/lib/validations/project-access'
import { recordAudit } from './audit'
import { decodeCursor, encodeCursor } from './cursor'
import { isUuid } from './ids'

export interface VisibleProject {
  id: string
  name: string
  level: ProjectLevel
}

/**
 * The projects a member may see: all of them for owners and holders of
 * projects:manage_all (as admin), otherwise those with a project level.
 */
export async function listVisibleProjects(db: Db, { orgId, userId, limit = 200 }: { orgId: string; userId: string; limit?: number }): Promise<VisibleProject[]> {
  if (!isUuid(orgId) || !isUuid(userId)) return []
  // One query, starting from the caller's own membership row (never from what a caller claims):
  // owners, admins and holders of projects:manage_all see every project as admin; members see
  // the projects they have a level on.
  const seesAll = sql<boolean>`(${memberships.role} in ('owner', 'admin') or 'projects:manage_all' = any(${memberships.permissions}))`
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
  return rows
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
  return listVisibleProjects(db, { orgId, userId: actorId })
}

// ---------------------------------------------------------------------------------------------
// One project (issue 4)

/**
 * The project and the actor's level on it, read in one query: admin for owners and holders of
 * projects:manage_all, otherwise the actor's own project level. null when the project is not in
 * the organization, the actor is not a member, or the actor has no level on it.
 */
async function readProjectForActor(db: Db, orgId: string, actorId: string, projectId: string, lock = false) {
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
  // Locks the actor's membership, so it cannot be removed or changed before we commit.
  const [row] = lock ? await query.for('share', { of: memberships }) : await query
  if (!row) return null
  const myLevel: ProjectLevel | null =
    row.role === 'owner' || hasPermission({ role: row.role, permissions: row.permissions }, 'projects:manage_all') ? 'admin' : row.level
  if (!myLevel) return null
  return { id: row.id, name: row.name, createdAt: row.createdAt, myLevel }
}

export interface ProjectView {
  id: string
  name: string
  createdAt: Date
  myLevel: ProjectLevel
}

/** The project with the actor's level on it; null when the actor cannot see it. */
export async function getProject(db: Db, { orgId, actorId, projectId }: { orgId: string; actorId: string; projectId: string }): Promise<ProjectView | null> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(projectId)) return null
  return readProjectForActor(db, orgId, actorId, projectId)
}

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
  if (!(await readProjectForActor(db, orgId, actorId, projectId))) return null
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

const NOT_FOUND_PROJECT = 'This project was not found.'
const NOT_PROJECT_ADMIN = 'You need admin access to this project to do that.'

const NOT_A_MEMBER = 'This person is not a member of the organization.'

export type SetProjectAccessResult = { ok: true } | { ok: false; error: 'not_found' | 'forbidden' | 'escalation' | 'not_member'; message: string }

/**
 * Grants, changes (level) or removes (null) a member's access to a project. The actor must be
 * admin of the project (project admins, holders of projects:manage_all, owners and admins) and
 * grants at most its own level; the user must be a member of the organization.
 */
export async function setProjectAccess(
  db: Db,
  params: { orgId: string; actorId: string; projectId: string; level: ProjectLevel | null } & ({ userId: string } | { email: string }),
): Promise<SetProjectAccessResult> {
  const { orgId, actorId, projectId, level } = params
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(projectId)) return { ok: false, error: 'not_found', message: NOT_FOUND_PROJECT }
  if ('userId' in params && !isUuid(params.userId)) return { ok: false, error: 'not_member', message: NOT_A_MEMBER }
  if (level !== null && !isProjectLevel(level)) return { ok: false, error: 'escalation', message: 'Choose view, edit or admin.' }

  return db.transaction(async (txAny): Promise<SetProjectAccessResult> => {
    const tx = txAny as unknown as Db
    const project = await readProjectForActor(tx, orgId, actorId, projectId, true)
    if (!project) return { ok: false, error: 'not_found', message: NOT_FOUND_PROJECT }
    if (project.myLevel !== 'admin') return { ok: false, error: 'forbidden', message: 'You need admin access to this project to manage who can use it.' }
    if (level && !levelAtLeast(project.myLevel, level)) {
      return { ok: false, error: 'escalation', message: `You can grant at most ${project.myLevel} access to this project.` }
    }
    // Only now, after the caller's own check, is the target looked up: a caller who may not manage
    // the project cannot learn whether an address belongs to a member. The share lock keeps the
    // target a member until we commit (removeMember deletes the row).
    const [target] = await tx
      .select({ userId: memberships.userId, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organizationId, orgId), 'userId' in params ? eq(memberships.userId, params.userId) : eq(users.email, normalizeEmail(params.email))))
      .for('share', { of: memberships })
    if (!target) return { ok: false, error: 'not_member', message: NOT_A_MEMBER }
    const { userId } = target

    const [current] = await tx
      .select({ level: projectMembers.level })
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.organizationId, orgId), eq(projectMembers.userId, userId)))
      .for('update')
    const audit = { organizationId: orgId, actorId, targetType: 'project', targetId: projectId }
    if (level === null) {
      if (!current) return { ok: true }
      await tx
        .delete(projectMembers)
        .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.organizationId, orgId), eq(projectMembers.userId, userId)))
      await recordAudit(tx, { ...audit, action: 'project.access_removed', data: { userId, email: target.email, name: project.name, before: current.level } })
      return { ok: true }
    }
    if (current?.level === level) return { ok: true }
    await tx
      .insert(projectMembers)
      .values({ projectId, organizationId: orgId, userId, level })
      .onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { level } })
    await recordAudit(tx, {
      ...audit,
      action: 'project.access_granted',
      data: { userId, email: target.email, name: project.name, level, before: current?.level ?? null },
    })
    return { ok: true }
  })
}

export type RenameProjectResult = { ok: true } | { ok: false; error: 'not_found' | 'forbidden' | 'invalid'; message: string; field?: 'name' }

/** Renames a project; needs admin level on it. */
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
    if (project.myLevel !== 'admin') return { ok: false, error: 'forbidden', message: NOT_PROJECT_ADMIN }
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

/** Deletes a project with everyone's access to it and the invitation grants for it; needs admin level on it. */
export async function deleteProject(
  db: Db,
  { orgId, actorId, projectId }: { orgId: string; actorId: string; projectId: string },
): Promise<{ ok: true } | { ok: false; error: 'not_found' | 'forbidden'; message: string }> {
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(projectId)) return { ok: false, error: 'not_found', message: NOT_FOUND_PROJECT }
  return db.transaction(async (txAny) => {
    const tx = txAny as unknown as Db
    const project = await readProjectForActor(tx, orgId, actorId, projectId, true)
    if (!project) return { ok: false as const, error: 'not_found' as const, message: NOT_FOUND_PROJECT }
    if (project.myLevel !== 'admin') return { ok: false as const, error: 'forbidden' as const, message: NOT_PROJECT_ADMIN }
    const [deleted] = await tx
      .delete(projects)
      .where(and(eq(projects.id, projectId), eq(projects.organizationId, orgId)))
      .returning({ id: projects.id, name: projects.name })
    if (!deleted) return { ok: false as const, error: 'not_found' as const, message: NOT_FOUND_PROJECT }
    await recordAudit(tx, { organizationId: orgId, actorId, action: 'project.deleted', targetType: 'project', targetId: projectId, data: { name: deleted.name } })
    return { ok: true as const }
  })
}

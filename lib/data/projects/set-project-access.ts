import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, projectMembers, users } from '@/db/schema'
import { isProjectLevel, levelAtLeast, type ProjectLevel } from '@/lib/permissions'
import { normalizeEmail } from '@/lib/validations/common'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { NOT_FOUND_PROJECT, readProjectForActor } from './shared'

const NOT_A_MEMBER = 'This person is not a member of the organization.'

export type SetProjectAccessResult = { ok: true } | { ok: false; error: 'not_found' | 'forbidden' | 'escalation' | 'not_member'; message: string }

/**
 * Grants, changes (level) or removes (null) a member's access to a project. Needs what
 * projectCapabilities calls manageAccess (admin level on the project: project admins, holders of
 * projects:manage_all, owners and admins); grants at most the actor's own level; the user must be
 * a member of the organization.
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
    if (!project.can.manageAccess) return { ok: false, error: 'forbidden', message: 'You need admin access to this project to manage who can use it.' }
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

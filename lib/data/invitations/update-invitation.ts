import 'server-only'
import { and, eq, gt, inArray } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { invitationProjectGrants, invitations, memberships, projectMembers, projects } from '@/db/schema'
import { checkGrant, hasPermission, type ProjectLevel } from '@/lib/permissions'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { FORBIDDEN_INVITE, isPending, mergeGrants, NOT_FOUND_INVITATION, NOT_PENDING, PROJECT_NOT_FOUND, type ProjectGrantInput } from './shared'

/** The caller's membership, read with the organization in the WHERE; a share lock keeps it from changing under us. */
async function readMembership(tx: Db, orgId: string, userId: string) {
  const [row] = await tx
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId)))
    .for('share')
  return row ?? null
}

/** The user's own level on each of these projects of the organization. */
async function readProjectLevels(tx: Db, orgId: string, userId: string, projectIds: string[]) {
  if (projectIds.length === 0) return new Map<string, ProjectLevel>()
  const rows = await tx
    .select({ projectId: projectMembers.projectId, level: projectMembers.level })
    .from(projectMembers)
    .where(and(eq(projectMembers.organizationId, orgId), eq(projectMembers.userId, userId), inArray(projectMembers.projectId, projectIds)))
  return new Map(rows.map((r) => [r.projectId, r.level]))
}

type UpdateInvitationResult =
  | { ok: true }
  | { ok: false; error: 'not_found' | 'forbidden' | 'escalation' | 'not_pending'; message: string; field?: 'role' | 'permissions' | 'projectGrants' }

/**
 * Changes what a pending invitation offers; the token, and so the emailed link, stay the same.
 * Needs members:invite, and like a member edit the caller may grant or take away only what it
 * holds: the old and the new offer together must pass checkGrant. The caller becomes the
 * invitation's inviter, since accept checks the offer against the inviter's rights.
 */
export async function updateInvitation(
  db: Db,
  params: {
    orgId: string
    actorId: string
    invitationId: string
    role: 'admin' | 'member'
    permissions: string[]
    projectGrants: ProjectGrantInput[]
    now?: Date
  },
): Promise<UpdateInvitationResult> {
  const { orgId, actorId, invitationId, role } = params
  const now = params.now ?? new Date()
  const permissions = [...new Set(params.permissions)]
  const projectGrants = mergeGrants(params.projectGrants)
  if (!isUuid(orgId) || !isUuid(actorId) || !isUuid(invitationId)) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
  if (projectGrants.some((g) => !isUuid(g.projectId))) return { ok: false, error: 'not_found', message: PROJECT_NOT_FOUND }

  return db.transaction(async (txAny): Promise<UpdateInvitationResult> => {
    const tx = txAny as unknown as Db
    const actor = await readMembership(tx, orgId, actorId)
    if (!actor) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
    if (!hasPermission(actor, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }

    const [current] = await tx
      .select({ id: invitations.id, email: invitations.email, role: invitations.role, permissions: invitations.permissions, status: invitations.status, expiresAt: invitations.expiresAt })
      .from(invitations)
      .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, orgId)))
      .for('update')
    if (!current) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
    if (current.status !== 'pending' || current.expiresAt <= now) {
      return { ok: false, error: 'not_pending', message: current.status === 'pending' || current.status === 'expired' ? 'This invitation has expired. Resend it, then change it.' : NOT_PENDING }
    }
    const oldGrants = await tx
      .select({ projectId: invitationProjectGrants.projectId, level: invitationProjectGrants.level })
      .from(invitationProjectGrants)
      .innerJoin(projects, and(eq(projects.id, invitationProjectGrants.projectId), eq(projects.organizationId, orgId)))
      .where(eq(invitationProjectGrants.invitationId, invitationId))

    const projectIds = projectGrants.map((g) => g.projectId)
    const found = projectIds.length
      ? await tx.select({ id: projects.id }).from(projects).where(and(eq(projects.organizationId, orgId), inArray(projects.id, projectIds)))
      : []
    if (found.length !== projectIds.length) return { ok: false, error: 'not_found', message: PROJECT_NOT_FOUND }

    const touched = mergeGrants([...oldGrants, ...projectGrants])
    const levels = await readProjectLevels(tx, orgId, actorId, touched.map((g) => g.projectId))
    const grantor = { role: actor.role, permissions: actor.permissions, projectLevels: levels }
    const newCheck = checkGrant(grantor, { role, permissions, projectGrants })
    if (!newCheck.ok) return { ok: false, error: 'escalation', field: newCheck.field, message: newCheck.message }
    const unionCheck = checkGrant(grantor, {
      role: role === 'admin' || current.role === 'admin' ? 'admin' : 'member',
      permissions: [...new Set([...permissions, ...current.permissions])],
      projectGrants: touched,
    })
    if (!unionCheck.ok) {
      return {
        ok: false,
        error: 'escalation',
        field: unionCheck.field,
        message: `This invitation offers access you do not hold, so you cannot change it. ${unionCheck.message.replace('cannot grant', 'cannot remove')}`,
      }
    }

    const [updated] = await tx
      .update(invitations)
      .set({ role, permissions, invitedBy: actorId })
      .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, orgId), isPending, gt(invitations.expiresAt, now)))
      .returning({ id: invitations.id })
    if (!updated) return { ok: false, error: 'not_pending', message: NOT_PENDING }
    await tx.delete(invitationProjectGrants).where(eq(invitationProjectGrants.invitationId, invitationId))
    if (projectGrants.length) {
      await tx.insert(invitationProjectGrants).values(projectGrants.map((g) => ({ invitationId, projectId: g.projectId, level: g.level })))
    }
    await recordAudit(tx, {
      organizationId: orgId,
      actorId,
      action: 'invitation.updated',
      targetType: 'invitation',
      targetId: invitationId,
      data: {
        email: current.email,
        before: { role: current.role, permissions: current.permissions, projectGrants: oldGrants },
        after: { role, permissions, projectGrants },
      },
    })
    return { ok: true }
  })
}

import 'server-only'
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { invitationProjectGrants, invitations, organizations, projects, users } from '@/db/schema'
import type { ProjectLevel } from '@/lib/permissions'
import { isWellFormedToken } from '@/lib/validations/invitation'
import { inviterRightsSql, inviterStillGrants } from './inviter-rights'
import { hashToken } from './tokens'

interface InvitationView {
  id: string
  organization: { id: string; name: string; slug: string }
  email: string
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: { projectName: string; level: ProjectLevel }[]
  inviter: { name: string | null; email: string } | null
  status: 'pending' | 'expired' | 'accepted' | 'declined' | 'revoked'
  expiresAt: Date
  hasAccount: boolean
  /** False when the inviter can no longer grant what is offered: acceptInvitation would refuse it. */
  inviterCanGrant: boolean
}

/**
 * What the emailed link shows. null for an unknown or malformed token alike (a malformed one
 * never reaches the database), so guessing learns nothing. Reading never changes anything.
 */
export async function getInvitationByToken(db: Db, token: string, now: Date = new Date()): Promise<InvitationView | null> {
  // A malformed token costs the same lookup as an unknown one (its hash matches nothing), so the
  // page answers both alike in status, body and time: guessing learns nothing, not even the format.
  const isWellFormed = isWellFormedToken(token)
  const lookupHash = hashToken(isWellFormed ? token : `malformed:${String(token).slice(0, 512)}`)
  const [row] = await db
    .select({
      id: invitations.id,
      orgId: organizations.id,
      orgName: organizations.name,
      orgSlug: organizations.slug,
      email: invitations.email,
      role: invitations.role,
      permissions: invitations.permissions,
      status: invitations.status,
      expiresAt: invitations.expiresAt,
      inviterName: users.name,
      inviterEmail: users.email,
      hasAccount: sql<boolean>`exists (select 1 from users as invitee where invitee.email = "invitations"."email")`,
      inviterRights: inviterRightsSql({ id: sql`${invitations.id}`, orgId: sql`${invitations.organizationId}`, invitedBy: sql`${invitations.invitedBy}` }),
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, lookupHash))
  if (!row || !isWellFormed) return null
  const grants = await db
    .select({ projectName: projects.name, level: invitationProjectGrants.level })
    .from(invitationProjectGrants)
    .innerJoin(projects, and(eq(projects.id, invitationProjectGrants.projectId), eq(projects.organizationId, row.orgId)))
    .where(eq(invitationProjectGrants.invitationId, row.id))
    .orderBy(asc(projects.name))
  return {
    id: row.id,
    organization: { id: row.orgId, name: row.orgName, slug: row.orgSlug },
    email: row.email,
    role: row.role,
    permissions: row.permissions,
    projectGrants: grants,
    inviter: row.inviterEmail ? { name: row.inviterName, email: row.inviterEmail } : null,
    status: row.status === 'pending' && row.expiresAt <= now ? 'expired' : row.status,
    expiresAt: row.expiresAt,
    hasAccount: Boolean(row.hasAccount),
    inviterCanGrant: inviterStillGrants(row.inviterRights, row),
  }
}

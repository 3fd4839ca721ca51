import 'server-only'
import { and, desc, eq, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '@/db/client'
import { emailOutbox, invitations, memberships, users } from '@/db/schema'
import { hasPermission, type ProjectLevel } from '@/lib/permissions'
import { decodeCursor, encodeCursor } from '../cursor'
import { isUuid } from '../ids'
import { jsonOf } from '../parse-rows'
import { actorHolds } from '../permission-sql'
import { inviterRightsSql, inviterStillGrants } from './inviter-rights'
import { isOpen, MAX_PAGE } from './shared'

interface PendingInvitationRow {
  id: string
  email: string
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: { projectId: string; projectName: string; level: ProjectLevel }[]
  invitedBy: { name: string | null; email: string } | null
  createdAt: Date
  lastSentAt: Date
  expiresAt: Date
  sendCount: number
  /** Expired first; then an inviter who can no longer grant the offer (acceptInvitation would refuse it); then a failed email. */
  state: 'pending' | 'expired' | 'inviter_cannot_grant' | 'delivery_failed'
  deliveryError: string | null
}

/** The Members tab's filter (`?state=`): pending, unexpired and delivered (or on its way); past expiry; email failed. */
export type InvitationStateFilter = 'pending' | 'expired' | 'delivery_failed'

function stateFilterSql(state: InvitationStateFilter | null | undefined, at: string): SQL | undefined {
  const isExpired = sql`(${invitations.status} = 'expired' or ${invitations.expiresAt} <= ${at}::timestamptz)`
  if (state === 'expired') return isExpired
  if (state === 'pending') return sql`not ${isExpired} and ${emailOutbox.status} is distinct from 'failed'`
  if (state === 'delivery_failed') return sql`not ${isExpired} and ${emailOutbox.status} = 'failed'`
  return undefined
}

const grantsJson = jsonOf(z.array(z.object({ projectId: z.string(), projectName: z.string(), level: z.enum(['view', 'edit', 'admin']) })))

/**
 * The organization's open invitations (pending, and expired ones, which can be resent or revoked),
 * newest first, keyset-paginated, with how many pending ones hold a seat; null when the actor
 * lacks members:read. One query (the caller's check, each row's project grants and the seat count
 * folded in); a second only when the page comes back empty, to tell "none" from "not allowed".
 */
export async function listPendingInvitations(
  db: Db,
  params: { orgId: string; actorId: string; limit?: number; cursor?: string | null; state?: InvitationStateFilter | null; now?: Date },
): Promise<{ items: PendingInvitationRow[]; nextCursor: string | null; heldSeats: number } | null> {
  const { orgId, actorId } = params
  const now = params.now ?? new Date()
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(params.limit ?? 50)))
  if (!isUuid(orgId) || !isUuid(actorId)) return null
  const at = now.toISOString()
  const heldSeats = sql<number>`(
    select count(*) from invitations held
    where held.organization_id = ${orgId} and held.status = 'pending' and held.expires_at > ${at}::timestamptz
  )`.mapWith(Number)

  const after = decodeCursor(params.cursor)
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      permissions: invitations.permissions,
      status: invitations.status,
      createdAt: invitations.createdAt,
      lastSentAt: invitations.lastSentAt,
      expiresAt: invitations.expiresAt,
      sendCount: invitations.sendCount,
      inviterName: users.name,
      inviterEmail: users.email,
      emailStatus: emailOutbox.status,
      emailError: emailOutbox.lastError,
      grants: sql<unknown>`(
        select coalesce(json_agg(json_build_object('projectId', p.id, 'projectName', p.name, 'level', g.level) order by p.name, p.id), '[]'::json)
        from invitation_project_grants g
        join projects p on p.id = g.project_id and p.organization_id = ${orgId}
        where g.invitation_id = ${invitations.id}
      )`,
      inviterRights: inviterRightsSql({ id: sql`${invitations.id}`, orgId: sql`${invitations.organizationId}`, invitedBy: sql`${invitations.invitedBy}` }),
      heldSeats,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .leftJoin(emailOutbox, eq(emailOutbox.id, invitations.lastEmailId))
    .where(
      and(
        eq(invitations.organizationId, orgId),
        isOpen,
        stateFilterSql(params.state, at),
        actorHolds(orgId, actorId, 'members:read'),
        after ? sql`(${invitations.createdAt}, ${invitations.id}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(limit + 1)

  if (rows.length === 0) {
    const [actor] = await db
      .select({ role: memberships.role, permissions: memberships.permissions, heldSeats })
      .from(memberships)
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    if (!actor || !hasPermission(actor, 'members:read')) return null
    return { items: [], nextCursor: null, heldSeats: actor.heldSeats }
  }

  const page = rows.slice(0, limit)
  const items = page.map((r): PendingInvitationRow => {
    const isExpired = r.status === 'expired' || r.expiresAt <= now
    const isFailed = r.emailStatus === 'failed'
    return {
      id: r.id,
      email: r.email,
      role: r.role,
      permissions: r.permissions,
      projectGrants: grantsJson.parse(r.grants),
      invitedBy: r.inviterEmail ? { name: r.inviterName, email: r.inviterEmail } : null,
      createdAt: r.createdAt,
      lastSentAt: r.lastSentAt,
      expiresAt: r.expiresAt,
      sendCount: r.sendCount,
      state: isExpired
        ? 'expired'
        : !inviterStillGrants(r.inviterRights, r)
          ? 'inviter_cannot_grant'
          : isFailed
            ? 'delivery_failed'
            : 'pending',
      deliveryError: isFailed ? (r.emailError ?? 'The email could not be delivered.') : null,
    }
  })
  const last = page[page.length - 1]
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null, heldSeats: rows[0].heldSeats }
}

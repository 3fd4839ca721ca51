import 'server-only'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '@/db/client'
import { hasPermission } from '@/lib/permissions'
import { recordAuditSql } from '../audit'
import { isUuid } from '../ids'
import { parseRows } from '../parse-rows'
import { holdsPermissionSql } from '../permission-sql'
import { FORBIDDEN_INVITE, NOT_FOUND_INVITATION, NOT_PENDING } from './shared'

const revokedRow = z.object({
  role: z.enum(['owner', 'admin', 'member']).nullable(),
  permissions: z.array(z.string()).nullable(),
  revoked_id: z.string().nullable(),
  is_found: z.boolean(),
})

type RevokeResult = { ok: true } | { ok: false; error: 'not_found' | 'forbidden' | 'not_pending'; message: string }

/**
 * Revokes a pending or expired invitation; answered ones never move. Needs members:invite. One
 * statement, so its own transaction: the actor's membership under a share lock, the conditional
 * update, only if the actor holds the permission, and its audit event. Raw SQL: the builder has
 * no locking read inside a CTE, so as builder statements this would take a transaction of five.
 */
export async function revokeInvitation(db: Db, params: { orgId: string; actorId: string; invitationId: string }): Promise<RevokeResult> {
  const { orgId, actorId, invitationId } = params
  if (!isUuid(orgId) || !isUuid(actorId)) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
  if (!isUuid(invitationId)) return { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }

  const [row] = parseRows(
    revokedRow,
    await db.execute(sql`
      with actor as (
        select role, permissions from memberships where organization_id = ${orgId} and user_id = ${actorId} for share
      ),
      revoked as (
        update invitations set status = 'revoked'
        where id = ${invitationId} and organization_id = ${orgId} and status in ('pending', 'expired')
          and exists (select 1 from actor where ${holdsPermissionSql('actor', 'members:invite')})
        returning id, email
      ),
      audited as (${recordAuditSql(sql`
        select ${orgId}::uuid, ${actorId}::uuid, 'invitation.revoked', 'invitation', id::text, jsonb_build_object('email', email) from revoked`)})
      select (select role from actor) as role, (select permissions from actor) as permissions, (select id from revoked) as revoked_id,
        exists (select 1 from invitations where id = ${invitationId} and organization_id = ${orgId}) as is_found`),
  )
  const actor = row.role ? { role: row.role, permissions: row.permissions ?? [] } : null
  if (!actor || !hasPermission(actor, 'members:invite')) return { ok: false, error: 'forbidden', message: FORBIDDEN_INVITE }
  if (row.revoked_id) return { ok: true }
  return row.is_found ? { ok: false, error: 'not_pending', message: NOT_PENDING } : { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
}

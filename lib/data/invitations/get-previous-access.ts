import 'server-only'
import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { auditEvents, memberships } from '@/db/schema'
import { effectivePermissions, hasPermission } from '@/lib/permissions'
import { isValidEmail, normalizeEmail } from '@/lib/validations/common'
import { isUuid } from '../ids'

/**
 * A former member's role and permissions when they last left or were removed, for the invite
 * dialog to offer again (an owner comes back as admin). null when there is none, or the caller
 * lacks members:invite.
 */
export async function getPreviousAccess(
  db: Db,
  { orgId, actorId, email: rawEmail }: { orgId: string; actorId: string; email: string },
): Promise<{ role: 'admin' | 'member'; permissions: string[] } | null> {
  const email = normalizeEmail(rawEmail)
  if (!isUuid(orgId) || !isUuid(actorId) || !isValidEmail(email)) return null
  const [actor] = await db
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
  if (!actor || !hasPermission(actor, 'members:invite')) return null
  const [event] = await db
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.organizationId, orgId),
        inArray(auditEvents.action, ['member.removed', 'member.left']),
        sql`${auditEvents.data}->>'email' = ${email}`,
      ),
    )
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(1)
  if (!event) return null
  const previousRole = event.data.role
  const role = previousRole === 'owner' || previousRole === 'admin' ? 'admin' : 'member'
  const stored = Array.isArray(event.data.permissions) ? (event.data.permissions as unknown[]).filter((p): p is string => typeof p === 'string') : []
  return { role, permissions: effectivePermissions(role, stored) }
}

import 'server-only'
import { sql, type SQL } from 'drizzle-orm'
import type { OrgPermission } from '@/lib/permissions'

/**
 * SQL twin of hasPermission (lib/permissions.ts, effectivePermissions): owners and admins hold
 * every permission, members exactly what they were granted. `m` names a memberships row.
 */
export function holdsPermissionSql(m: string, permission: OrgPermission): SQL {
  return sql`(${sql.identifier(m)}.role in ('owner', 'admin') or ${permission} = any(${sql.identifier(m)}.permissions))`
}

/**
 * SQL true when `actorId` is a member of the organization holding `permission`, for folding the
 * caller's check into the query that reads the data.
 */
export function actorHolds(orgId: string, actorId: string, permission: OrgPermission): SQL {
  return sql`exists (
    select 1 from memberships actor
    where actor.organization_id = ${orgId} and actor.user_id = ${actorId} and ${holdsPermissionSql('actor', permission)}
  )`
}

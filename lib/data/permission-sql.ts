import 'server-only'
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { memberships } from '@/db/schema'
import type { OrgPermission } from '@/lib/permissions'

/**
 * SQL twin of hasPermission (lib/permissions.ts, effectivePermissions): owners and admins hold
 * every permission, members exactly what they were granted. The one SQL form of the rule; the
 * helpers below only say which row it reads.
 */
function holdsSql(role: SQLWrapper, permissions: SQLWrapper, permission: OrgPermission): SQL {
  return sql`(${role} in ('owner', 'admin') or ${permission} = any(${permissions}))`
}

/** The rule on a memberships row named `m` in raw SQL. */
export function holdsPermissionSql(m: string, permission: OrgPermission): SQL {
  return holdsSql(sql`${sql.identifier(m)}.role`, sql`${sql.identifier(m)}.permissions`, permission)
}

/** The rule on the memberships table of a Drizzle query (its own columns, not an alias). */
export function membershipHolds(permission: OrgPermission): SQL {
  return holdsSql(memberships.role, memberships.permissions, permission)
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

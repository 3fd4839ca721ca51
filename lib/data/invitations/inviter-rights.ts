import 'server-only'
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { canInviterStillGrant } from '@/lib/permissions'
import { jsonOf } from '../parse-rows'

const level = z.enum(['view', 'edit', 'admin'])
const inviterRightsJson = jsonOf(
  z
    .object({
      role: z.enum(['owner', 'admin', 'member']),
      permissions: z.array(z.string()),
      grants: z.array(z.object({ projectId: z.string(), level, inviterLevel: level.nullable() })),
    })
    .nullable(),
)

/**
 * For one invitation row of a statement: what its inviter holds in the organization now (role,
 * permissions, own level on each project the invitation offers) with the project grants offered,
 * as one JSON value; null when the inviter is no longer a member. Read it with inviterStillGrants.
 */
export function inviterRightsSql(inv: { id: SQL; orgId: SQL; invitedBy: SQL }): SQL<unknown> {
  return sql<unknown>`(
    select json_build_object('role', m.role, 'permissions', m.permissions, 'grants', (
      select coalesce(json_agg(json_build_object('projectId', g.project_id, 'level', g.level, 'inviterLevel', pm.level)), '[]'::json)
      from invitation_project_grants g
      join projects p on p.id = g.project_id and p.organization_id = ${inv.orgId}
      left join project_members pm on pm.project_id = g.project_id and pm.organization_id = ${inv.orgId} and pm.user_id = ${inv.invitedBy}
      where g.invitation_id = ${inv.id}))
    from memberships m
    where m.organization_id = ${inv.orgId} and m.user_id = ${inv.invitedBy}
  )`
}

/**
 * Whether the invitation can still be accepted as far as its inviter's rights go: the verdict of
 * canInviterStillGrant, the rule acceptInvitation enforces, on what inviterRightsSql read.
 */
export function inviterStillGrants(rightsJson: unknown, offer: { role: 'admin' | 'member'; permissions: readonly string[] }): boolean {
  const rights = rightsJson == null ? null : inviterRightsJson.parse(rightsJson)
  const projectGrants = (rights?.grants ?? []).map((g) => ({ projectId: g.projectId, level: g.level }))
  const inviter = rights
    ? {
        role: rights.role,
        permissions: rights.permissions,
        projectLevels: new Map(rights.grants.flatMap((g) => (g.inviterLevel ? [[g.projectId, g.inviterLevel] as const] : []))),
      }
    : null
  return canInviterStillGrant(inviter, { role: offer.role, permissions: offer.permissions, projectGrants })
}

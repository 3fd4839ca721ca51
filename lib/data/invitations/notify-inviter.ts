import 'server-only'
import { sql, type SQL } from 'drizzle-orm'
import { notifications, organizations, users } from '@/db/schema'

/**
 * Tells the inviter of an answered invitation, if the inviter still has an account: an INSERT ...
 * SELECT, run on its own (decline) or as a data-modifying CTE of the answer's statement (accept).
 */
export function notifyInviterSql({ inviterId, orgId, kind, email }: { inviterId: string | null; orgId: string; kind: 'invitation.accepted' | 'invitation.declined'; email: string }): SQL {
  return sql`
    insert into ${notifications} (user_id, organization_id, kind, data)
    select ${users.id}, ${organizations.id}, ${kind}, jsonb_build_object('email', ${email}::text, 'orgName', ${organizations.name})
    from ${users} join ${organizations} on ${organizations.id} = ${orgId}
    where ${users.id} = ${inviterId}`
}

import 'server-only'
import { eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '@/db/client'
import { users } from '@/db/schema'
import { isUuid } from '../ids'
import { jsonOf } from '../parse-rows'
import { inviterRightsSql, inviterStillGrants } from './inviter-rights'
import { MAX_PAGE } from './shared'

export interface OpenInvitation {
  id: string
  organization: { name: string; slug: string }
  inviter: { name: string | null; email: string } | null
  role: 'admin' | 'member'
  permissions: string[]
  expiresAt: Date
  createdAt: Date
  /** False when the inviter can no longer grant what is offered: acceptInvitation would refuse it. */
  inviterCanGrant: boolean
}

const openItemsJson = jsonOf(
  z.array(
    z.object({
      id: z.string(),
      orgName: z.string(),
      orgSlug: z.string(),
      inviterName: z.string().nullable(),
      inviterEmail: z.string().nullable(),
      role: z.enum(['admin', 'member']),
      permissions: z.array(z.string()),
      expiresAt: z.string(),
      createdAt: z.string(),
      inviterRights: z.unknown(),
    }),
  ),
)

/**
 * Select fields for a user's invitations that can still be answered (pending, unexpired, to the
 * address of the `users` row in the query, which must be in it as "users"), newest first, and how many there are (the bell's
 * count), on invitations_email_status_idx. Shared by listOpenInvitationsForUser and the page
 * header's one query (viewer.ts); read the result with readOpenInvitations.
 */
export function openInvitationsSelection(now: Date, limit: number) {
  const at = now.toISOString()
  return {
    openTotal: sql<number>`(
      select count(*) from invitations i
      where i.email = users.email and i.status = 'pending' and i.expires_at > ${at}::timestamptz
    )`.mapWith(Number),
    openItems: sql<unknown>`(
      select coalesce(json_agg(x), '[]'::json) from (
        select i.id, o.name as "orgName", o.slug as "orgSlug", inviter.name as "inviterName", inviter.email as "inviterEmail",
               i.role, i.permissions, i.expires_at as "expiresAt", i.created_at as "createdAt",
               ${inviterRightsSql({ id: sql`i.id`, orgId: sql`i.organization_id`, invitedBy: sql`i.invited_by` })} as "inviterRights"
        from invitations i
        join organizations o on o.id = i.organization_id
        left join users inviter on inviter.id = i.invited_by
        where i.email = users.email and i.status = 'pending' and i.expires_at > ${at}::timestamptz
        order by i.created_at desc, i.id desc
        limit ${limit}
      ) x
    )`,
  }
}

export function readOpenInvitations(row: { openTotal: number; openItems: unknown }): { items: OpenInvitation[]; total: number } {
  return {
    total: row.openTotal,
    items: openItemsJson.parse(row.openItems).map((r) => ({
      id: r.id,
      organization: { name: r.orgName, slug: r.orgSlug },
      inviter: r.inviterEmail ? { name: r.inviterName, email: r.inviterEmail } : null,
      role: r.role,
      permissions: r.permissions,
      expiresAt: new Date(r.expiresAt),
      createdAt: new Date(r.createdAt),
      inviterCanGrant: inviterStillGrants(r.inviterRights, r),
    })),
  }
}

/** The signed-in user's invitations that can still be answered, and how many there are: one query. */
export async function listOpenInvitationsForUser(
  db: Db,
  params: { userId: string; limit?: number; now?: Date },
): Promise<{ items: OpenInvitation[]; total: number }> {
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(params.limit ?? 20)))
  if (!isUuid(params.userId)) return { items: [], total: 0 }
  const [row] = await db
    .select(openInvitationsSelection(params.now ?? new Date(), limit))
    .from(users)
    .where(eq(users.id, params.userId))
  return row ? readOpenInvitations(row) : { items: [], total: 0 }
}

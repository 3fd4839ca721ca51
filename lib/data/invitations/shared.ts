import 'server-only'
import { sql } from 'drizzle-orm'
import { invitations, memberships } from '@/db/schema'
import { PROJECT_LEVEL_RANK, type ProjectLevel } from '@/lib/permissions'

export const DAY_MS = 24 * 60 * 60_000

/** Invitations an organization may send per day, and one inviter per day (across organizations). */
export const INVITATIONS_PER_ORG_PER_DAY = 500
export const INVITATIONS_PER_INVITER_PER_DAY = 200
export const RESEND_COOLDOWN_MS = 60_000
export const MAX_PAGE = 100

export interface InvitationConfig {
  /** Public base URL of the app; the link is `${appUrl}/invitations/<token>`. */
  appUrl: string
  ttlDays: number
  now?: Date
}

export interface ProjectGrantInput {
  projectId: string
  level: ProjectLevel
}

export const FORBIDDEN_INVITE = 'You do not have permission to manage invitations.'
export const NOT_FOUND_INVITATION = 'This invitation was not found.'
export const NOT_PENDING = 'This invitation is no longer pending.'
export const ANOTHER_PENDING = 'Another invitation to this address is already pending.'
export const PROJECT_NOT_FOUND = 'One of the projects was not found.'
export const SEAT_LIMIT_MESSAGE = 'This organization has no free seats. Ask an admin to free a seat.'

/**
 * The states as literals, not parameters: statements are prepared (db/client.ts), and a generic
 * plan can use the partial indexes (status = 'pending', status in ('pending', 'expired')) only
 * when the statement itself says so. Every invitation query says "pending" this way.
 */
export const isPending = sql`${invitations.status} = 'pending'`
export const isOpen = sql`${invitations.status} in ('pending', 'expired')`

/** An array as one text[] parameter of a raw statement. */
export const textArray = (values: readonly string[]) => sql`${sql.param(values, memberships.permissions)}::text[]`

export const addMs = (date: Date, ms: number) => new Date(date.getTime() + ms)

/** One grant per project (ids compared lower-cased), the highest level asked for. */
export function mergeGrants(grants: ProjectGrantInput[]): ProjectGrantInput[] {
  const byProject = new Map<string, ProjectLevel>()
  const rank = PROJECT_LEVEL_RANK as Record<string, number>
  for (const g of grants) {
    const id = g.projectId.toLowerCase()
    const seen = byProject.get(id)
    if (!seen || (rank[g.level] ?? 0) > (rank[seen] ?? 0)) byProject.set(id, g.level)
  }
  return [...byProject].map(([projectId, level]) => ({ projectId, level }))
}

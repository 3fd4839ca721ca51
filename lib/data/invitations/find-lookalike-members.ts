import 'server-only'
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, users } from '@/db/schema'
import { lookalikeTarget } from '@/lib/validations/lookalike'
import { actorHolds } from '../permission-sql'

/**
 * For each non-ASCII address that reads as the address of a member of the organization
 * (lookalikeTarget), that member's address (issue 15, item 5). Empty unless the caller may invite;
 * whether the caller may also learn the member's address is the invite's decision. One indexed
 * lookup, and none when every address is ASCII.
 */
export async function findLookalikeMembers(db: Db, { orgId, actorId, emails }: { orgId: string; actorId: string; emails: readonly string[] }): Promise<Map<string, string>> {
  const targets = new Map(emails.flatMap((email) => {
    const target = lookalikeTarget(email)
    return target ? [[email, target] as const] : []
  }))
  if (targets.size === 0) return targets
  const rows = await db
    .select({ email: users.email })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.organizationId, orgId)))
    .where(and(inArray(users.email, [...new Set(targets.values())]), actorHolds(orgId, actorId, 'members:invite')))
  const members = new Set(rows.map((r) => r.email))
  return new Map([...targets].filter(([, target]) => members.has(target)))
}

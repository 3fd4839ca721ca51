import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, users } from '@/db/schema'
import { normalizeEmail } from '@/lib/validations/common'

/** The user id of the organization's member with this address, or null (not a member, or no such user). */
export async function findMemberIdByEmail(db: Db, { orgId, email }: { orgId: string; email: string }): Promise<string | null> {
  const [row] = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organizationId, orgId), eq(users.email, normalizeEmail(email))))
    .limit(1)
  return row?.userId ?? null
}

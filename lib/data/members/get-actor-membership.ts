import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships } from '@/db/schema'

/** The caller's role and permissions in the organization, or null when not a member. */
export async function getActorMembership(db: Db, { orgId, actorId }: { orgId: string; actorId: string }) {
  const [row] = await db
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    .limit(1)
  return row ?? null
}

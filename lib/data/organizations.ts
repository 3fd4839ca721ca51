import 'server-only'
import { randomBytes } from 'node:crypto'
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, organizations } from '@/db/schema'
import { effectivePermissions, type OrgPermission, type Role } from '@/lib/permissions'
import { slugify } from '@/lib/validations/organization'
import { recordAudit } from './audit'

export interface OrgSummary {
  id: string
  name: string
  slug: string
}

export interface OrgContext {
  org: OrgSummary
  membership: { role: Role; permissions: OrgPermission[]; joinedAt: Date }
}

/** Creates an organization whose owner is its creator; the slug comes from the name, made unique. */
export async function createOrganization(db: Db, { name, userId }: { name: string; userId: string }): Promise<OrgSummary> {
  const base = slugify(name)
  return db.transaction(async (tx) => {
    let org: OrgSummary | undefined
    for (let attempt = 0; !org; attempt++) {
      const slug = attempt === 0 ? base : `${base}-${randomBytes(3).toString('hex')}`
      ;[org] = await tx
        .insert(organizations)
        .values({ name, slug })
        .onConflictDoNothing({ target: organizations.slug })
        .returning({ id: organizations.id, name: organizations.name, slug: organizations.slug })
      if (attempt > 8 && !org) throw new Error('Could not find a free slug')
    }
    await tx.insert(memberships).values({ organizationId: org.id, userId, role: 'owner', permissions: [] })
    await recordAudit(tx, { organizationId: org.id, actorId: userId, action: 'organization.created', targetType: 'organization', targetId: org.id, data: { name } })
    return org
  })
}

/** The organizations a user belongs to, by name. */
export async function listMyOrganizations(db: Db, { userId, limit = 100 }: { userId: string; limit?: number }) {
  return db
    .select({ id: organizations.id, name: organizations.name, slug: organizations.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(sql`lower(${organizations.name})`), asc(organizations.id))
    .limit(limit)
}

/** The organization with this slug and the caller's membership in it; null when it does not exist or the caller is not a member. */
export async function getOrgForMember(db: Db, { slug, userId }: { slug: string; userId: string }): Promise<OrgContext | null> {
  const [row] = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      slug: organizations.slug,
      role: memberships.role,
      permissions: memberships.permissions,
      joinedAt: memberships.joinedAt,
    })
    .from(organizations)
    .innerJoin(memberships, and(eq(memberships.organizationId, organizations.id), eq(memberships.userId, userId)))
    .where(eq(organizations.slug, slug))
    .limit(1)
  if (!row) return null
  return {
    org: { id: row.id, name: row.name, slug: row.slug },
    membership: { role: row.role, permissions: effectivePermissions(row.role, row.permissions), joinedAt: row.joinedAt },
  }
}

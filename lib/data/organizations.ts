import 'server-only'
import { randomBytes } from 'node:crypto'
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { memberships, organizations } from '@/db/schema'
import { effectivePermissions, leaveVerdict, type OrgPermission, type Role, type Verdict } from '@/lib/permissions'
import { MAX_SEAT_LIMIT } from '@/lib/validations/member'
import { slugify } from '@/lib/validations/organization'
import { recordAudit } from './audit'
import { isUuid } from './ids'
import { seatsUsedSql } from './seats-sql'

export interface OrgSummary {
  id: string
  name: string
  slug: string
}

export interface OrgContext {
  org: OrgSummary
  /** Null: no limit. */
  seatLimit: number | null
  membership: { role: Role; permissions: OrgPermission[]; joinedAt: Date }
  /** Whether the caller may leave, and why not (leaveVerdict, which leaveOrganization enforces). */
  leave: Verdict
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
  // Anything that cannot be a slug is "not found" before it reaches Postgres (a NUL byte would make it throw).
  if (!isSlug(slug) || !isUuid(userId)) return null
  const [row] = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      slug: organizations.slug,
      seatLimit: organizations.seatLimit,
      role: memberships.role,
      permissions: memberships.permissions,
      joinedAt: memberships.joinedAt,
      // Only an owner's answer matters (leaveVerdict); owners are few and memberships_org_owner_idx holds them.
      otherOwners: sql<number>`case when ${memberships.role} = 'owner' then (
        select count(*) from memberships other
        where other.organization_id = ${organizations.id} and other.role = 'owner' and other.user_id <> ${memberships.userId}
      ) else 0 end`.mapWith(Number),
    })
    .from(organizations)
    .innerJoin(memberships, and(eq(memberships.organizationId, organizations.id), eq(memberships.userId, userId)))
    .where(eq(organizations.slug, slug))
    .limit(1)
  if (!row) return null
  return {
    org: { id: row.id, name: row.name, slug: row.slug },
    seatLimit: row.seatLimit,
    membership: { role: row.role, permissions: effectivePermissions(row.role, row.permissions), joinedAt: row.joinedAt },
    leave: leaveVerdict({ role: row.role, otherOwners: row.otherOwners }),
  }
}

/**
 * Locks the organization row for the rest of the transaction and returns it (null when it does
 * not exist). Every change to who holds a seat or an owner role takes this lock first, so the
 * seat count and the last-owner rule hold under concurrent requests, and the lock order is the
 * same everywhere. NO KEY UPDATE, not UPDATE: it must not block the KEY SHARE locks that inserts
 * into tables referencing organizations take.
 */
export async function lockOrganization(tx: Db, orgId: string) {
  const [row] = await tx
    .select({ id: organizations.id, name: organizations.name, slug: organizations.slug, seatLimit: organizations.seatLimit })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .for('no key update')
  return row ?? null
}

/** Seats in use (seatsUsedSql). */
export async function countSeatsUsed(db: Db, orgId: string, now: Date = new Date()): Promise<number> {
  const [row] = await db.select({ used: seatsUsedSql(db, orgId, now) }).from(organizations).where(eq(organizations.id, orgId))
  return row ? row.used : 0
}

export type SetSeatLimitResult =
  | { ok: true; used: number }
  | { ok: false; error: 'not_found' | 'forbidden' | 'invalid'; message: string; field?: 'seatLimit' }

/**
 * Sets or clears (null) the seat limit; owners only. A limit below the seats in use is allowed:
 * nobody is removed, but no invitation can be made or accepted until seats are freed.
 */
export async function setSeatLimit(
  db: Db,
  { orgId, actorId, seatLimit }: { orgId: string; actorId: string; seatLimit: number | null },
): Promise<SetSeatLimitResult> {
  if (seatLimit !== null && (!Number.isInteger(seatLimit) || seatLimit < 1 || seatLimit > MAX_SEAT_LIMIT)) {
    return { ok: false, error: 'invalid', field: 'seatLimit', message: `Enter a whole number from 1 to ${MAX_SEAT_LIMIT}, or leave it empty for no limit.` }
  }
  if (!isUuid(orgId) || !isUuid(actorId)) return { ok: false, error: 'not_found', message: 'This organization was not found.' }
  return db.transaction(async (txAny): Promise<SetSeatLimitResult> => {
    const tx = txAny as unknown as Db
    const org = await lockOrganization(tx, orgId)
    if (!org) return { ok: false, error: 'not_found', message: 'This organization was not found.' }
    const [actor] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, actorId)))
    if (!actor) return { ok: false, error: 'not_found', message: 'This organization was not found.' }
    if (actor.role !== 'owner') return { ok: false, error: 'forbidden', message: 'Only an owner can change the seat limit.' }
    const used = await countSeatsUsed(tx, orgId)
    if (org.seatLimit === seatLimit) return { ok: true, used }
    await tx.update(organizations).set({ seatLimit }).where(eq(organizations.id, orgId))
    await recordAudit(tx, {
      organizationId: orgId,
      actorId,
      action: 'organization.seat_limit_changed',
      targetType: 'organization',
      targetId: orgId,
      data: { before: org.seatLimit, after: seatLimit },
    })
    return { ok: true, used }
  })
}

const isSlug = (value: string) => /^[a-z0-9-]{1,100}$/.test(value)

import 'server-only'
import { createHash } from 'node:crypto'
import { lt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { rateLimits } from '@/db/schema'

const MINUTE = 60_000

export const SIGN_IN_LIMITS = {
  perEmail: { limit: 5, windowMs: 15 * MINUTE },
  perIp: { limit: 20, windowMs: 15 * MINUTE },
  // All addresses together (SIGN_IN_GLOBAL_LIMIT overrides the number): whoever holds many
  // addresses and client addresses still cannot make the app send mail without bound.
  global: { limit: 200, windowMs: 15 * MINUTE },
} as const

export interface RateLimitResult {
  allowed: boolean
  /** Uses left in the current window after this one. */
  remaining: number
  /** 0 when allowed; otherwise how long until the window resets. */
  retryAfterMs: number
}

/**
 * A key for a scope and a subject (an email address, an IP), hashed so the table holds no
 * addresses and keys stay short whatever the input.
 */
export function rateLimitKey(scope: string, subject: string): string {
  return `${scope}:${createHash('sha256').update(subject.trim().toLowerCase()).digest('base64url')}`
}

/**
 * Counts one use of `key` in the current fixed window and says whether it is within `limit`.
 * One atomic upsert, so concurrent requests on any instance are counted exactly; a refused
 * request still counts, so hammering does not buy extra attempts.
 */
export async function consumeRateLimit(
  db: Db,
  { key, limit, windowMs, now = new Date() }: { key: string; limit: number; windowMs: number; now?: Date },
): Promise<RateLimitResult> {
  const windowStart = Math.floor(now.getTime() / windowMs) * windowMs
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart: new Date(windowStart), count: 1 })
    .onConflictDoUpdate({
      target: [rateLimits.key, rateLimits.windowStart],
      set: { count: sql`${rateLimits.count} + 1` },
    })
    .returning({ count: rateLimits.count })
  const allowed = row.count <= limit
  return {
    allowed,
    remaining: Math.max(0, limit - row.count),
    retryAfterMs: allowed ? 0 : windowStart + windowMs - now.getTime(),
  }
}

/**
 * Consumes `units` uses of a fixed-window counter at once, as the body of a data-modifying CTE:
 * one upsert returning `count` (the total after these units), or no row when `units` is 0.
 * `units` is an SQL expression (a scalar subquery over other CTEs of the statement). How many
 * of the units fit is `greatest(0, least(units, limit - (count - units)))`: see unitsWithinSql.
 */
export function consumeRateLimitUnitsSql({ key, windowMs, now, units }: { key: string; windowMs: number; now: Date; units: SQL }): SQL {
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs)
  return sql`insert into rate_limits (key, window_start, count)
    select ${key}, ${windowStart.toISOString()}::timestamptz, n from (select (${units})::int as n) as units where n > 0
    on conflict (key, window_start) do update set count = rate_limits.count + excluded.count
    returning count`
}

/** How many of `units` fit in `limit`, given the counter's `count` after they were added (null: none were consumed). */
export function unitsWithinSql(units: SQL, count: SQL, limit: number): SQL {
  return sql`coalesce(greatest(0, least(${units}, ${limit} - (${count} - ${units}))), 0)`
}

/** Deletes counters of windows that started before `olderThan`; returns how many. */
export async function pruneRateLimits(db: Db, olderThan: Date): Promise<number> {
  const deleted = await db.delete(rateLimits).where(lt(rateLimits.windowStart, olderThan)).returning({ key: rateLimits.key })
  return deleted.length
}

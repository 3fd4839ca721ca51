import 'server-only'
import { sql, type SQL } from 'drizzle-orm'

/** The clock of due times, leases and backoff: the given one (tests), or the database's now(). */
export function sqlNow(now?: () => Date): SQL {
  return now ? sql`${now().toISOString()}::timestamptz` : sql`now()`
}

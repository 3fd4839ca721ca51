import 'server-only'
import { DEFAULT_PGLITE_DIR, openDb, type Db, type DbHandle } from '@/db/client'
import { runMigrations } from '@/db/migrate'
import { getEnv } from '@/lib/env'

const globalForDb = globalThis as unknown as { __appDb?: DbHandle }

/** The app's one database handle, opened on first use (never at build time) from lib/env. */
export function getDbHandle(): DbHandle {
  if (!globalForDb.__appDb) {
    const env = getEnv()
    globalForDb.__appDb = openDb({
      databaseUrl: env.DATABASE_URL,
      dataDir: env.PGLITE_DIR ?? DEFAULT_PGLITE_DIR,
    })
  }
  return globalForDb.__appDb
}

/**
 * The app's database, for code that hands it to lib/data: the action wrappers, lib/auth, lib/email
 * delivery. Lint keeps pages and components from importing it (eslint.config.mjs).
 */
export function getDb(): Db {
  return getDbHandle().db
}

/**
 * Runs one data operation on the app's database: how a page calls lib/data without holding the
 * client, `await withDb(listVisibleProjects, { orgId, userId })`.
 */
export function withDb<Params extends unknown[], Result>(operation: (db: Db, ...params: Params) => Result, ...params: Params): Result {
  return operation(getDb(), ...params)
}

/** Applies pending migrations at server start (once across instances: db/migrate takes a lock). */
export function migrateAppDb(): Promise<void> {
  return runMigrations(getDbHandle())
}

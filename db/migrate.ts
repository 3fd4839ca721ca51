import path from 'node:path'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import type { DbHandle } from './client'

// Any fixed number: every instance takes the same lock, so migrations run once.
const MIGRATION_LOCK_KEY = 727_001

export const migrationsFolder = path.join(process.cwd(), 'db', 'migrations')

/** Applies pending migrations; on pg under an advisory lock, so instances starting together are safe. */
export async function runMigrations(handle: DbHandle): Promise<void> {
  if (!handle.pool) {
    await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder })
    return
  }
  // A session-level lock belongs to one connection: take, migrate and release on the same client.
  const client = await handle.pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    try {
      await migratePg(drizzle(client), { migrationsFolder })
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
    }
  } finally {
    client.release()
  }
}

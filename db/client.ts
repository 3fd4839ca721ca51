import path from 'node:path'
import { mkdirSync } from 'node:fs'
import { Pool } from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type { Logger } from 'drizzle-orm/logger'
import * as schema from './schema'

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>

export interface DbHandle {
  db: Db
  kind: 'pg' | 'pglite'
  pool?: Pool
  close: () => Promise<void>
}

/** Counts statements so the benchmark can report queries per request. */
export const queryCounter = { count: 0 }
const countingLogger: Logger = {
  logQuery() {
    queryCounter.count++
  },
}

/** A pg pool when a URL is given, PGlite (in `dataDir`, or in memory) otherwise. */
export function openDb(options: { databaseUrl?: string; dataDir?: string; poolSize?: number }): DbHandle {
  if (options.databaseUrl) {
    const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 })
    return { db: drizzlePg(pool, { schema, logger: countingLogger }) as unknown as Db, kind: 'pg', pool, close: () => pool.end() }
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true })
  const client = new PGlite(options.dataDir)
  return { db: drizzlePglite(client, { schema, logger: countingLogger }) as unknown as Db, kind: 'pglite', close: () => client.close() }
}

const globalForDb = globalThis as unknown as { __appDb?: DbHandle }

/** The app's one database handle, made on first use (never at build time). */
export function getDbHandle(): DbHandle {
  if (!globalForDb.__appDb) {
    globalForDb.__appDb = openDb({
      databaseUrl: process.env.DATABASE_URL || undefined,
      dataDir: process.env.PGLITE_DIR || path.join(process.cwd(), '.data', 'pglite'),
    })
  }
  return globalForDb.__appDb
}

export function getDb(): Db {
  return getDbHandle().db
}

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

/**
 * Counts statements so tests can hold the data layer to a statement budget; `log`, when set,
 * also collects their SQL (lib/data/statement-counts.test.ts prints it when a budget is missed).
 */
export const queryCounter: { count: number; log: string[] | null } = { count: 0, log: null }
const countingLogger: Logger = {
  logQuery(query) {
    queryCounter.count++
    queryCounter.log?.push(query)
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
  countPgliteTransactions(client)
  return { db: drizzlePglite(client, { schema, logger: countingLogger }) as unknown as Db, kind: 'pglite', close: () => client.close() }
}

/**
 * drizzle sends BEGIN, COMMIT and ROLLBACK itself on pg (so its logger counts them) but leaves them
 * to PGlite's transaction(); counting them here makes queryCounter mean the same on both drivers.
 */
function countPgliteTransactions(client: PGlite) {
  const transaction = client.transaction.bind(client)
  client.transaction = async (callback) => {
    countingLogger.logQuery('begin', [])
    try {
      const result = await transaction(callback)
      countingLogger.logQuery('commit', [])
      return result
    } catch (err) {
      countingLogger.logQuery('rollback', [])
      throw err
    }
  }
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

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

/** Where PGlite keeps the app's data when neither DATABASE_URL nor PGLITE_DIR is set. */
export const DEFAULT_PGLITE_DIR = path.join(process.cwd(), '.data', 'pglite')

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
export const queryCounter: { count: number; log: string[] | null; statements: { query: string; params: unknown[] }[] | null } = {
  count: 0,
  log: null,
  /** When set, also collects each statement with its parameters (lib/data/explain.test.ts plans them). */
  statements: null,
}
const countingLogger: Logger = {
  logQuery(query, params) {
    queryCounter.count++
    queryCounter.log?.push(query)
    queryCounter.statements?.push({ query, params })
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

import path from 'node:path'
import { createHash } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { Client, Pool } from 'pg'
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

/**
 * Distinct statements a connection keeps prepared; past this, statements go unnamed (parsed and
 * planned each time). The app sends a few dozen shapes; lists of ids (IN with one parameter each)
 * make more, and each prepared statement holds server memory, so the number is bounded.
 */
export const MAX_PREPARED_PER_CONNECTION = 200
const isPreparable = /^\s*(select|insert|update|delete|with)\b/i

/**
 * A pg client that names every data statement after a hash of its text, so each connection parses
 * it once and Postgres can keep its plan: the queries of a page are few and always the same text,
 * and planning them cost more than running them (about 1 ms of the session query's 1.3 ms).
 * Values stay parameters; only the text is the key.
 */
export class PreparingClient extends Client {
  private readonly prepared = new Set<string>()

  // pg's overloads are many; every call form passes through with a name added to a text query.
  query(...args: unknown[]): never {
    const [config] = args
    const text = typeof config === 'string' ? config : (config as { text?: unknown; name?: unknown; submit?: unknown } | null)?.text
    const isNamed = typeof config === 'object' && config !== null && ('name' in config || 'submit' in config) && (config as { name?: unknown }).name
    if (typeof text === 'string' && !isNamed && isPreparable.test(text)) {
      const name = `s_${createHash('sha1').update(text).digest('base64url')}`
      if (this.prepared.has(name) || this.prepared.size < MAX_PREPARED_PER_CONNECTION) {
        this.prepared.add(name)
        args[0] = typeof config === 'string' ? { text, name } : { ...(config as object), name }
      }
    }
    return (Client.prototype.query as (...a: unknown[]) => never).apply(this, args)
  }
}

/** A pg pool when a URL is given, PGlite (in `dataDir`, or in memory) otherwise. */
export function openDb(options: { databaseUrl?: string; dataDir?: string; poolSize?: number; preparedStatements?: boolean }): DbHandle {
  if (options.databaseUrl) {
    const pool = new Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      ...(options.preparedStatements === false ? {} : { Client: PreparingClient }),
    })
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

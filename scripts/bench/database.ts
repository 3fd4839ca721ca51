// The bench's own database per N: created on the server (or a temp PGlite dir), migrated, seeded,
// and dropped however the run ends.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { openDb, type Db } from '../../db/client'
import { runMigrations } from '../../db/migrate'
import { baseDatabaseUrl, opts } from './options'
import { BIG_ORG_ID, INVITEE_EMAIL, seedStatements } from './seed'

/** Databases (and PGlite dirs) this run created and has not dropped yet: every way the run ends drops them. */
const undropped = new Set<() => Promise<void>>()

/** Drops whatever is still undropped (an interrupted run). */
export async function dropAll(onError: (e: unknown) => void): Promise<void> {
  for (const drop of [...undropped]) await drop().catch(onError)
}

export interface BenchDb {
  label: string
  env: Record<string, string>
  /** Runs reset SQL between runs; null on PGlite (the server holds its only connection). */
  exec: ((statement: string) => Promise<unknown>) | null
  drop: () => Promise<void>
  pools: { revoke: string[]; accept: string[] }
}

const poolQueries = (size: number) => ({
  revoke: `select id from invitations where organization_id = '${BIG_ORG_ID}' and status = 'pending' and email like 'pending-%' order by created_at asc limit ${size}`,
  accept: `select id from invitations where email = '${INVITEE_EMAIL}' and status = 'pending' order by created_at desc`,
})

async function readPools(db: Db) {
  const q = poolQueries(opts.rounds * opts.maxRequests + opts.warmup)
  const ids = async (text: string) => ((await db.execute(sql.raw(text))) as unknown as { rows: { id: string }[] }).rows.map((r) => r.id)
  return { revoke: await ids(q.revoke), accept: await ids(q.accept) }
}

export async function createBenchDb(n: number, acceptPool: number): Promise<BenchDb> {
  const statements = seedStatements({ n, acceptPool })
  if (opts.pglite) {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-pglite-'))
    const handle = openDb({ dataDir: dir })
    await runMigrations(handle)
    for (const s of statements) await handle.db.execute(sql.raw(s))
    const pools = await readPools(handle.db)
    await handle.close()
    return { pools, label: 'PGlite', env: { DATABASE_URL: '', PGLITE_DIR: dir }, exec: null, drop: dropOnce(async () => rmSync(dir, { recursive: true, force: true })) }
  }
  const name = `bench_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: baseDatabaseUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const dropDatabase = dropOnce(async () => {
    const c = new pg.Client({ connectionString: baseDatabaseUrl })
    await c.connect()
    await c.query(`drop database if exists ${name} with (force)`)
    await c.end()
  })
  const version = (await admin.query('show server_version')).rows[0].server_version as string
  await admin.end()
  const url = new URL(baseDatabaseUrl)
  url.pathname = `/${name}`
  const handle = openDb({ databaseUrl: url.toString() })
  await runMigrations(handle)
  for (const s of statements) await handle.db.execute(sql.raw(s))
  const pools = await readPools(handle.db)
  await handle.close()
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  return {
    pools,
    label: `PostgreSQL ${version}`,
    env: { DATABASE_URL: url.toString(), PGLITE_DIR: '' },
    exec: (s) => client.query(s),
    drop: async () => {
      await client.end().catch(() => {})
      await dropDatabase()
    },
  }
}

/** Registers `drop` until it has run once, so an interrupted run can still drop what it created. */
function dropOnce(drop: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    if (!undropped.delete(once)) return
    await drop()
  }
  undropped.add(once)
  return once
}

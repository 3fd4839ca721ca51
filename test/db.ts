import { randomBytes } from 'node:crypto'
import { Client } from 'pg'
import { openDb, type Db, type DbHandle } from '@/db/client'
import { runMigrations } from '@/db/migrate'

export interface TestDb {
  db: Db
  handle: DbHandle
  isRealPostgres: boolean
  cleanup: () => Promise<void>
}

/**
 * A migrated, empty database for one test file: a throwaway database on the
 * server named by DATABASE_URL (created here, dropped by cleanup), or an
 * in-memory PGlite when DATABASE_URL is unset.
 */
export async function createTestDb(): Promise<TestDb> {
  const baseUrl = process.env.DATABASE_URL
  if (!baseUrl) {
    const handle = openDb({})
    await runMigrations(handle)
    return { db: handle.db, handle, isRealPostgres: false, cleanup: () => handle.close() }
  }
  const name = `test_${randomBytes(6).toString('hex')}`
  const admin = new Client({ connectionString: baseUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  const handle = openDb({ databaseUrl: url.toString(), poolSize: 50 })
  await runMigrations(handle)
  return {
    db: handle.db,
    handle,
    isRealPostgres: true,
    cleanup: async () => {
      // pool.end() resolves before its clients have disconnected; the forced drop would kill them mid-close.
      const pool = handle.pool!
      let left = pool.totalCount
      const disconnected = new Promise<void>((resolve) => {
        if (left === 0) resolve()
        pool.on('remove', () => {
          if (--left === 0) resolve()
        })
      })
      await handle.close()
      await disconnected
      const c = new Client({ connectionString: baseUrl })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { createTestDb, type TestDb } from '@/test/db'
import { runMigrations } from './migrate'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

describe('migrations', () => {
  it('creates every table of the model', async () => {
    const rows = await t.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    )
    const names = (rows as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name)
    for (const table of ['users', 'accounts', 'sessions', 'verification_tokens', 'organizations', 'memberships', 'projects', 'project_members', 'invitations', 'invitation_project_grants', 'email_outbox', 'audit_events', 'rate_limits', 'notifications']) {
      expect(names).toContain(table)
    }
  })

  it('compresses email bodies with lz4 where the server has it, and keeps the default where it does not', async () => {
    const rows = (q: ReturnType<typeof sql>) => t.db.execute(q).then((r) => (r as unknown as { rows: Record<string, unknown>[] }).rows)
    // Whether this server was built with lz4: a column that asks for it is refused otherwise.
    let hasLz4 = true
    await t.db
      .transaction(async (tx) => {
        await tx.execute(sql`create temporary table lz4_probe (t text compression lz4) on commit drop`)
      })
      .catch(() => {
        hasLz4 = false
      })
    const [html] = await rows(sql`select attcompression from pg_attribute where attrelid = 'email_outbox'::regclass and attname = 'html'`)
    expect(html.attcompression).toBe(hasLz4 ? 'l' : '')
  })

  it('applies each migration once when instances start together', async () => {
    await Promise.all([runMigrations(t.handle), runMigrations(t.handle), runMigrations(t.handle)])
    const applied = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
    const { readdirSync } = await import('node:fs')
    const files = readdirSync('db/migrations').filter((f) => f.endsWith('.sql'))
    expect((applied as unknown as { rows: { n: number }[] }).rows[0].n).toBe(files.length)
  })
})

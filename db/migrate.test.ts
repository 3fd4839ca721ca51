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

  it('applies each migration once when instances start together', async () => {
    await Promise.all([runMigrations(t.handle), runMigrations(t.handle), runMigrations(t.handle)])
    const applied = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
    const { readdirSync } = await import('node:fs')
    const files = readdirSync('db/migrations').filter((f) => f.endsWith('.sql'))
    expect((applied as unknown as { rows: { n: number }[] }).rows[0].n).toBe(files.length)
  })
})

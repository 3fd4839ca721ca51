import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { MAX_PREPARED_PER_CONNECTION, openDb, type DbHandle } from './client'
import { users } from './schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'

let t: TestDb
let single: DbHandle | null = null
beforeAll(async () => {
  t = await createTestDb()
  // One connection, so what it has prepared is what every query here went through.
  if (t.isRealPostgres) single = openDb({ databaseUrl: t.handle.pool!.options.connectionString!, poolSize: 1 })
})
afterAll(async () => {
  await single?.close()
  await t.cleanup()
})

const preparedOf = async (h: DbHandle) =>
  (await h.pool!.query<{ name: string; statement: string }>('select name, statement from pg_prepared_statements')).rows

describe('statements on Postgres are prepared once per connection', () => {
  it('names a query after its text: run again with other values, it reuses the statement and returns the right rows', async (ctx) => {
    if (!single) return ctx.skip()
    const [a, b] = [await createUser(t.db, `prep-a-${Date.now()}@example.com`), await createUser(t.db, `prep-b-${Date.now()}@example.com`)]
    const byId = (id: string) => single!.db.select({ email: users.email }).from(users).where(eq(users.id, id))
    expect(await byId(a.id)).toEqual([{ email: a.email }])
    expect(await byId(b.id)).toEqual([{ email: b.email }])
    expect(await byId(a.id)).toEqual([{ email: a.email }])
    const prepared = (await preparedOf(single)).filter((p) => p.statement.includes('from "users" where "users"."id"'))
    expect(prepared).toHaveLength(1)
    expect(prepared[0].name).toMatch(/^s_[\w-]{27}$/)
  })

  it('leaves transaction control and raw text statements unnamed, and they still work', async (ctx) => {
    if (!single) return ctx.skip()
    const result = await single.db.transaction(async (tx) => tx.execute(sql`select 41 + 1 as answer`))
    expect((result as unknown as { rows: { answer: number }[] }).rows[0].answer).toBe(42)
    const statements = (await preparedOf(single)).map((p) => p.statement.trim().toLowerCase())
    expect(statements.some((s) => s.startsWith('begin') || s.startsWith('commit'))).toBe(false)
    expect(statements).toContain('select 41 + 1 as answer')
  })

  it('keeps at most MAX_PREPARED_PER_CONNECTION statements per connection; past that, statements run unnamed', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const h = openDb({ databaseUrl: t.handle.pool!.options.connectionString!, poolSize: 1 })
    try {
      const extra = 5
      for (let i = 0; i < MAX_PREPARED_PER_CONNECTION + extra; i++) {
        const { rows } = await h.pool!.query<{ n: number }>(`select $1::int + ${i} as n`, [1])
        expect(rows[0].n).toBe(1 + i)
      }
      const named = (await preparedOf(h)).filter((p) => p.name.startsWith('s_'))
      expect(named).toHaveLength(MAX_PREPARED_PER_CONNECTION)
    } finally {
      await h.close()
    }
  })

  it('can be turned off (a pooler that cannot keep named statements)', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const off = openDb({ databaseUrl: t.handle.pool!.options.connectionString!, poolSize: 1, preparedStatements: false })
    try {
      await off.db.select({ id: users.id }).from(users).limit(1)
      expect(await preparedOf(off)).toEqual([])
    } finally {
      await off.close()
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { ALL_PERMISSIONS, hasPermission, type Role } from '@/lib/permissions'
import { createTestDb, type TestDb } from '@/test/db'
import { holdsPermissionSql } from './permission-sql'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

describe('holdsPermissionSql', () => {
  it('agrees with hasPermission for every role, set of granted permissions and permission asked', async () => {
    const subsets = Array.from({ length: 2 ** ALL_PERMISSIONS.length }, (_, bits) => ALL_PERMISSIONS.filter((_, i) => bits & (1 << i)))
    const members = (['owner', 'admin', 'member'] as Role[]).flatMap((role) => subsets.map((permissions) => ({ role, permissions: [...permissions, 'not:a-permission'] })))
    for (const permission of ALL_PERMISSIONS) {
      const result = await t.db.execute(sql`
        select m.i, ${holdsPermissionSql('m', permission)} as holds
        from jsonb_to_recordset(${JSON.stringify(members.map((m, i) => ({ i, ...m })))}::jsonb) as m(i int, role member_role, permissions text[])
        order by m.i`)
      const rows = (result as unknown as { rows: { i: number; holds: boolean }[] }).rows
      expect(rows.map((r) => r.holds)).toEqual(members.map((m) => hasPermission(m, permission)))
    }
  })
})

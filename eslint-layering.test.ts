// Issue 16, item 4: the layers are held by lint (eslint.config.mjs), and this proves the rules
// fire: the real config, through ESLint's own API, on snippets placed where they would live.
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

let eslint: ESLint
beforeAll(() => {
  eslint = new ESLint({ cwd: import.meta.dirname })
})

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result.messages.map((m) => m.ruleId ?? m.message)
}

const page = 'app/(app)/orgs/[slug]/example/page.tsx'
const restricted = '@typescript-eslint/no-restricted-imports'

describe('only db/, lib/data and lib/auth import the database client', () => {
  it('fails a page that imports the client, by alias or by relative path', async () => {
    expect(await ruleIds(`import { openDb } from '@/db/client'\nexport const x = openDb`, page)).toContain(restricted)
    expect(await ruleIds(`import { openDb } from '../../../../../db/client'\nexport const x = openDb`, page)).toContain(restricted)
    expect(await ruleIds(`import pg from 'pg'\nexport const x = pg`, 'components/ui/example.tsx')).toContain(restricted)
  })

  it('fails a page that takes the raw handle, and passes one that runs a data function with withDb', async () => {
    expect(await ruleIds(`import { getDb } from '@/lib/data/db'\nexport const x = getDb`, page)).toContain(restricted)
    expect(await ruleIds(`import { withDb } from '@/lib/data/db'\nexport const x = withDb`, page)).not.toContain(restricted)
  })

  it('fails lib code outside the data layer that imports the client, and lets the action wrappers take the handle', async () => {
    expect(await ruleIds(`import { openDb } from '@/db/client'\nexport const x = openDb`, 'lib/email/example.ts')).toContain(restricted)
    expect(await ruleIds(`import { getDb } from '@/lib/data/db'\nexport const x = getDb`, 'lib/actions/example.ts')).not.toContain(restricted)
  })

  it('lets lib/data, lib/auth and db import it, and anyone import its types', async () => {
    for (const file of ['lib/data/example.ts', 'lib/auth/example.ts', 'db/example.ts']) {
      expect(await ruleIds(`import { openDb } from '@/db/client'\nexport const x = openDb`, file)).not.toContain(restricted)
    }
    expect(await ruleIds(`import type { Db } from '@/db/client'\nexport type X = Db`, page)).not.toContain(restricted)
  })
})

describe('update and delete carry a WHERE (eslint-plugin-drizzle)', () => {
  const file = 'lib/data/example.ts'
  it('fails a delete or an update of a whole table', async () => {
    expect(await ruleIds(`export const f = (db: any, t: any) => db.delete(t)`, file)).toContain('drizzle/enforce-delete-with-where')
    expect(await ruleIds(`export const f = (tx: any, t: any) => tx.update(t).set({ a: 1 })`, file)).toContain('drizzle/enforce-update-with-where')
  })

  it('passes them with a WHERE', async () => {
    const ids = await ruleIds(`export const f = (db: any, t: any, w: any) => [db.delete(t).where(w), db.update(t).set({ a: 1 }).where(w)]`, file)
    expect(ids.filter((id) => id.startsWith('drizzle/'))).toEqual([])
  })
})

// `npm run db:migrate`: applies pending migrations (the app also does this at start).
import { getDbHandle } from '@/db/client'
import { runMigrations } from '@/db/migrate'

const handle = getDbHandle()
await runMigrations(handle)
await handle.close()
console.log(`Migrations applied (${handle.kind === 'pg' ? 'Postgres' : 'PGlite in .data/pglite'}).`)

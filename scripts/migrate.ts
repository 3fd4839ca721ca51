// `npm run db:migrate`: applies pending migrations (the app also does this at start).
import { openAppDb } from './lib/app-db'
import { runMigrations } from '@/db/migrate'

const handle = openAppDb()
await runMigrations(handle)
await handle.close()
console.log(`Migrations applied (${handle.kind === 'pg' ? 'Postgres' : 'PGlite in .data/pglite'}).`)

// The app's database for `npm run db:migrate` and `db:seed`. They read DATABASE_URL and PGLITE_DIR
// themselves: lib/env.ts is server-only (it does not load outside Next) and, in production, demands
// AUTH_SECRET and RESEND_API_KEY, which a migration has no use for.
import { DEFAULT_PGLITE_DIR, openDb, type DbHandle } from '../../db/client'

export function openAppDb(): DbHandle {
  return openDb({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: process.env.PGLITE_DIR || DEFAULT_PGLITE_DIR })
}

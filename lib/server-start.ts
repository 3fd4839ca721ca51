import { getDbHandle } from '@/db/client'
import { runMigrations } from '@/db/migrate'
import { startOutboxSweep } from '@/lib/email/delivery'
import { getEnv } from '@/lib/env'

/** Validates the environment, applies migrations (once across instances) and starts the outbox sweep. */
export async function startServer(): Promise<void> {
  const env = getEnv()
  await runMigrations(getDbHandle())
  if (env.isDevMailbox) console.log(`[email] No RESEND_API_KEY: emails go to the dev mailbox at ${env.APP_URL}/dev/mailbox`)
  startOutboxSweep()
}

import { migrateAppDb, withDb } from '@/lib/data/db'
import { pruneRateLimits } from '@/lib/data/rate-limits'
import { expireInvitations } from '@/lib/data/invitations/expire-invitations'
import { startOutboxSweep } from '@/lib/email/delivery'
import { getEnv } from '@/lib/env'

const MAINTENANCE_INTERVAL_MS = 5 * 60_000

/**
 * Marks overdue invitations expired and drops old rate-limit windows. Safe on
 * every instance at once: each step is one conditional statement.
 */
async function runMaintenance(): Promise<void> {
  await withDb(expireInvitations)
  await withDb(pruneRateLimits, new Date(Date.now() - 2 * 24 * 60 * 60_000))
}

function startMaintenance(): void {
  const flag = globalThis as unknown as { __maintenanceTimer?: NodeJS.Timeout }
  if (flag.__maintenanceTimer) return
  const tick = () => runMaintenance().catch((e: unknown) => console.error('[maintenance] failed:', e instanceof Error ? e.message : e))
  flag.__maintenanceTimer = setInterval(tick, MAINTENANCE_INTERVAL_MS)
  flag.__maintenanceTimer.unref()
  void tick()
}

/** Validates the environment, applies migrations (once across instances) and starts the background sweeps. */
export async function startServer(): Promise<void> {
  const env = getEnv()
  await migrateAppDb()
  if (env.isDevMailbox) console.log(`[email] No RESEND_API_KEY: emails go to the dev mailbox at ${env.APP_URL}/dev/mailbox`)
  startOutboxSweep()
  startMaintenance()
}

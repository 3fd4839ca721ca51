import 'server-only'
import { after } from 'next/server'
import { getDb } from '@/lib/data/db'
import { getEnv } from '@/lib/env'
import { deliverDueEmails } from './outbox'
import { createDevMailboxTransport, createResendTransport, type EmailTransport } from './transport'

const globalForDelivery = globalThis as unknown as {
  __emailTransport?: EmailTransport
  __outboxSweep?: { timer: ReturnType<typeof setInterval> }
}

/** Resend when RESEND_API_KEY is set; otherwise the dev mailbox (env refuses that in production). */
export function getTransport(): EmailTransport {
  if (!globalForDelivery.__emailTransport) {
    const env = getEnv()
    globalForDelivery.__emailTransport = env.RESEND_API_KEY
      ? createResendTransport(env.RESEND_API_KEY)
      : createDevMailboxTransport()
  }
  return globalForDelivery.__emailTransport
}

const SWEEP_BATCH = 20
// A backlog drains a few batches per tick; the rest waits for the next tick (or another instance).
const SWEEP_MAX_BATCHES = 10

async function deliver(onlyIds?: string[]) {
  const env = getEnv()
  return deliverDueEmails(getDb(), getTransport(), { from: env.EMAIL_FROM, onlyIds, limit: onlyIds?.length || SWEEP_BATCH, keepBodies: env.isDevMailbox })
}

async function sweepOnce() {
  const total = { sent: 0, retried: 0, failed: 0 }
  for (let i = 0; i < SWEEP_MAX_BATCHES; i++) {
    const r = await deliver()
    total.sent += r.sent
    total.retried += r.retried
    total.failed += r.failed
    if (r.claimed < SWEEP_BATCH) break
  }
  return total
}

// Only counts and the error message: bodies hold sign-in and invitation links.
function logFailure(context: string, err: unknown) {
  console.error(`[email] ${context} failed: ${err instanceof Error ? err.message : String(err)}`)
}

/**
 * Sends the given outbox rows (or whatever is due) once the response has gone out. What fails
 * here stays in the outbox for the sweep.
 */
export function deliverSoon(ids?: string[]): void {
  const task = async () => {
    try {
      await deliver(ids)
    } catch (err) {
      logFailure('immediate delivery', err)
    }
  }
  try {
    after(task)
  } catch {
    // Outside a request (a script, a test): nothing to wait for, so start now.
    void task()
  }
}

/** Starts the periodic outbox sweep, once per process; safe on every instance. */
export function startOutboxSweep(intervalMs = 15_000): void {
  if (globalForDelivery.__outboxSweep) return
  let isRunning = false
  const timer = setInterval(async () => {
    if (isRunning) return
    isRunning = true
    try {
      const r = await sweepOnce()
      if (r.retried || r.failed) console.warn(`[email] sweep: ${r.sent} sent, ${r.retried} to retry, ${r.failed} failed`)
    } catch (err) {
      logFailure('outbox sweep', err)
    } finally {
      isRunning = false
    }
  }, intervalMs)
  timer.unref()
  globalForDelivery.__outboxSweep = { timer }
}

/** Stops the sweep (tests, graceful shutdown). */
export function stopOutboxSweep(): void {
  const sweep = globalForDelivery.__outboxSweep
  if (!sweep) return
  clearInterval(sweep.timer)
  globalForDelivery.__outboxSweep = undefined
}

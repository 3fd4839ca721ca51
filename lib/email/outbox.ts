import 'server-only'
import type { Db } from '@/db/client'
import { claimDueEmails, type ClaimedEmail } from '@/lib/data/outbox/claim-due-emails'
import { recordDeliveryOutcomes, type DeliveryOutcome } from '@/lib/data/outbox/record-delivery-outcomes'
import { MAX_BATCH_SIZE, SEND_TIMEOUT_MS, type BatchSendResult, type EmailTransport, type SendResult } from './transport'

export interface DeliverOptions {
  from: string
  /** Rows claimed by one call. */
  limit?: number
  /** After this many claims a row that still fails is marked failed. */
  maxAttempts?: number
  /** How long a claim holds a row before another worker may take it over. */
  leaseMs?: number
  /** Sends in flight at once. */
  concurrency?: number
  /** The clock used for due times, leases and backoff; the database's now() when absent. */
  now?: () => Date
  /**
   * Keep the body of sent and failed emails. Only the dev mailbox wants this:
   * bodies hold live links (invitation and sign-in tokens), which the database
   * must not keep once the email is out of its hands.
   */
  keepBodies?: boolean
  /** Only these rows (immediate delivery after the request that queued them). */
  onlyIds?: string[]
}

export interface DeliverResult {
  claimed: number
  sent: number
  retried: number
  failed: number
}

const DEFAULTS = { limit: 20, maxAttempts: 8, leaseMs: 60_000, concurrency: 4 }
const BACKOFF_BASE_MS = 1_000
const BACKOFF_CAP_MS = 10 * 60_000
const RETRY_AFTER_CAP_MS = 24 * 60 * 60_000

/**
 * Claims due rows (pending and due, or leased by a worker whose lease ran out), sends them and
 * records each outcome. Safe to run concurrently on any number of instances: the claim takes rows
 * with SKIP LOCKED, and each outcome is written only if the row still carries this claim.
 */
export async function deliverDueEmails(db: Db, transport: EmailTransport, opts: DeliverOptions): Promise<DeliverResult> {
  const result: DeliverResult = { claimed: 0, sent: 0, retried: 0, failed: 0 }
  if (opts.onlyIds && opts.onlyIds.length === 0) return result
  const limit = opts.limit ?? DEFAULTS.limit
  const maxAttempts = opts.maxAttempts ?? DEFAULTS.maxAttempts
  const leaseMs = opts.leaseMs ?? DEFAULTS.leaseMs
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULTS.concurrency)
  const claimStartedAt = performance.now()
  const claimed = await claimDueEmails(db, { limit, leaseMs, onlyIds: opts.onlyIds, now: opts.now })
  result.claimed = claimed.length

  type Claimed = ClaimedEmail
  /**
   * What happened to each claimed row, written for the whole claim once its sends are done. A worker
   * that dies before writing leaves its rows leased: they are sent again once the lease runs out,
   * under the same idempotency key, so the provider delivers each once.
   */
  const outcomes: DeliveryOutcome[] = []

  /** What a failed send means for its rows: retry later (with backoff, or when the provider asks), or give up. */
  function failure(rows: Claimed[], failed: Extract<SendResult | BatchSendResult, { ok: false }>, extra: { unbatch?: boolean } = {}) {
    for (const { id, attempts } of rows) {
      if (!failed.retryable || attempts >= maxAttempts) outcomes.push({ id, attempts, kind: 'failed', error: failed.error, ...extra })
      else {
        const delayMs = Math.max(Math.min(failed.retryAfterMs ?? 0, RETRY_AFTER_CAP_MS), backoffMs(attempts))
        outcomes.push({ id, attempts, kind: 'retry', error: failed.error, delayMs, ...extra })
      }
    }
  }

  const message = (row: Claimed) => ({ from: opts.from, to: row.recipient, subject: row.subject, html: row.html, text: row.text })

  async function sendOne(row: Claimed, extra: { unbatch?: boolean } = {}) {
    let outcome: SendResult
    try {
      outcome = await transport.send({ ...message(row), idempotencyKey: row.idempotencyKey })
    } catch (err) {
      outcome = { ok: false, retryable: true, error: `transport threw: ${err instanceof Error ? err.message : String(err)}` }
    }
    if (outcome.ok) outcomes.push({ id: row.id, attempts: row.attempts, kind: 'sent', providerId: outcome.providerId ?? null, ...extra })
    else failure([row], outcome, extra)
  }

  /**
   * One batch (or one email): every row of a batch was claimed together and carries the same
   * attempt count, and the request is the same on every attempt (rows in id order, the leader's
   * key), so the provider can drop a retry it has already accepted.
   */
  async function deliverGroup(rows: Claimed[]) {
    const { attempts } = rows[0]
    if (attempts > maxAttempts) {
      // Reclaimed after its last allowed attempt lost its worker: that attempt's outcome is unknown.
      for (const { id } of rows) outcomes.push({ id, attempts, kind: 'failed', error: `gave up after ${maxAttempts} attempts (the last one did not report back)` })
      return
    }
    if (performance.now() - claimStartedAt > leaseMs - Math.min(SEND_TIMEOUT_MS, leaseMs / 2)) {
      // Too little lease left for a send: hand the rows back untouched rather than race a reclaiming worker.
      for (const { id } of rows) outcomes.push({ id, attempts, kind: 'release' })
      return
    }
    if (rows.length === 1 || !transport.sendBatch || rows.length > MAX_BATCH_SIZE) {
      // Alone, or a transport (or a batch too large) for one request each: the same choice on every attempt.
      for (const row of rows) await sendOne(row)
      return
    }
    const leader = rows.find((r) => r.id === r.batchId) ?? rows[0]
    let outcome: BatchSendResult
    try {
      outcome = await transport.sendBatch(rows.map(message), `batch/${leader.idempotencyKey}`)
    } catch (err) {
      outcome = { ok: false, retryable: true, error: `transport threw: ${err instanceof Error ? err.message : String(err)}` }
    }
    if (outcome.ok) {
      rows.forEach(({ id }, i) => outcomes.push({ id, attempts, kind: 'sent', providerId: outcome.providerIds[i] }))
    } else if (!outcome.retryable) {
      // Refused as a whole (one invalid email refuses them all) and accepted none: from now on each
      // goes alone, under its own key, so the others are not held back by one bad address.
      for (const row of rows) await sendOne(row, { unbatch: true })
    } else failure(rows, outcome)
  }

  const groups = new Map<string, Claimed[]>()
  for (const row of claimed) {
    const key = row.batchId ?? row.id
    const group = groups.get(key)
    if (group) group.push(row)
    else groups.set(key, [row])
  }
  const batches = [...groups.values()].map((rows) => rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
  let next = 0
  const worker = async () => {
    while (next < batches.length) await deliverGroup(batches[next++])
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker))
  if (outcomes.length === 0) return result

  const written = await recordDeliveryOutcomes(db, outcomes, { keepBodies: opts.keepBodies, now: opts.now })
  for (const { kind } of written) {
    if (kind === 'sent') result.sent++
    else if (kind === 'failed') result.failed++
    else if (kind === 'retry') result.retried++
  }
  return result
}

/** Exponential backoff with jitter: half fixed, half random, so retries of one outage spread out. */
export function backoffMs(attempts: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts, 30))
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}

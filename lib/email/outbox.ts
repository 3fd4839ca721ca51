import 'server-only'
import { randomUUID } from 'node:crypto'
import { and, asc, desc, eq, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { emailOutbox } from '@/db/schema'
import { SEND_TIMEOUT_MS, type EmailTransport, type SendResult } from './transport'

export interface OutboxEmail {
  kind: string
  to: string
  subject: string
  html: string
  text: string
  idempotencyKey?: string
}

/** Queues an email; pass the transaction of the change that causes it, so both commit or neither. */
export async function enqueueEmail(db: Db, email: OutboxEmail): Promise<{ id: string }> {
  const [row] = await enqueueEmails(db, [email])
  return row
}

/** Queues several emails in one statement; ids come back in the order given. */
export async function enqueueEmails(db: Db, emails: OutboxEmail[]): Promise<{ id: string }[]> {
  if (emails.length === 0) return []
  const values = emails.map((email) => ({
    kind: email.kind,
    recipient: email.to,
    subject: email.subject,
    html: email.html,
    text: email.text,
    idempotencyKey: email.idempotencyKey ?? `${email.kind}/${randomUUID()}`,
  }))
  const rows = await db.insert(emailOutbox).values(values).returning({ id: emailOutbox.id, idempotencyKey: emailOutbox.idempotencyKey })
  const idByKey = new Map(rows.map((r) => [r.idempotencyKey, r.id]))
  return values.map((v) => ({ id: idByKey.get(v.idempotencyKey)! }))
}

/**
 * enqueueEmails as the body of a data-modifying CTE, so emails are queued in the very statement
 * of the change that causes them: `source` is a SELECT of (id, kind, recipient, subject, html,
 * text, idempotency_key).
 */
export function enqueueEmailsSql(source: SQL): SQL {
  return sql`insert into email_outbox (id, kind, recipient, subject, html, text, idempotency_key) ${source}`
}

export const REDACTED_BODY = '[removed after delivery: it held a single-use link]'

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
const LAST_ERROR_MAX = 500

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
  const now = (): SQL => (opts.now ? sql`${opts.now().toISOString()}::timestamptz` : sql`now()`)
  const plusMs = (ms: number): SQL => sql`${now()} + ${Math.round(ms)}::double precision * interval '1 millisecond'`

  const due = or(
    // Literal statuses, so the prepared statement's generic plan still matches email_outbox_due_idx.
    and(sql`${emailOutbox.status} = 'pending'`, lte(emailOutbox.nextAttemptAt, now())),
    and(sql`${emailOutbox.status} = 'sending'`, lt(emailOutbox.lockedUntil, now())),
  )
  const candidates = db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(opts.onlyIds ? and(due, inArray(emailOutbox.id, opts.onlyIds)) : due)
    .orderBy(asc(emailOutbox.nextAttemptAt))
    .limit(limit)
    .for('update', { skipLocked: true })

  const claimStartedAt = performance.now()
  const claimed = await db
    .update(emailOutbox)
    .set({ status: 'sending', attempts: sql`${emailOutbox.attempts} + 1`, lockedUntil: plusMs(leaseMs) })
    .where(inArray(emailOutbox.id, candidates))
    .returning({
      id: emailOutbox.id,
      recipient: emailOutbox.recipient,
      subject: emailOutbox.subject,
      html: emailOutbox.html,
      text: emailOutbox.text,
      idempotencyKey: emailOutbox.idempotencyKey,
      attempts: emailOutbox.attempts,
    })
  result.claimed = claimed.length

  type Claimed = (typeof claimed)[number]
  /**
   * What happened to each claimed row, written for the whole claim in one statement once its sends
   * are done (one round trip for 50 emails rather than 50). A worker that dies before writing
   * leaves its rows leased: they are sent again once the lease runs out, under the same idempotency
   * key, so the provider delivers each once.
   */
  type Outcome =
    | { id: string; attempts: number; kind: 'sent'; providerId: string | null }
    | { id: string; attempts: number; kind: 'failed' | 'retry'; error: string; delayMs?: number }
    | { id: string; attempts: number; kind: 'release' }
  const outcomes: Outcome[] = []

  async function deliverOne(row: Claimed) {
    const { id, attempts } = row
    if (attempts > maxAttempts) {
      // Reclaimed after its last allowed attempt lost its worker: that attempt's outcome is unknown.
      outcomes.push({ id, attempts, kind: 'failed', error: `gave up after ${maxAttempts} attempts (the last one did not report back)` })
      return
    }
    if (performance.now() - claimStartedAt > leaseMs - Math.min(SEND_TIMEOUT_MS, leaseMs / 2)) {
      // Too little lease left for a send: hand the row back untouched rather than race a reclaiming worker.
      outcomes.push({ id, attempts, kind: 'release' })
      return
    }
    let outcome: SendResult
    try {
      outcome = await transport.send({
        from: opts.from,
        to: row.recipient,
        subject: row.subject,
        html: row.html,
        text: row.text,
        idempotencyKey: row.idempotencyKey,
      })
    } catch (err) {
      outcome = { ok: false, retryable: true, error: `transport threw: ${err instanceof Error ? err.message : String(err)}` }
    }
    if (outcome.ok) outcomes.push({ id, attempts, kind: 'sent', providerId: outcome.providerId ?? null })
    else if (!outcome.retryable || attempts >= maxAttempts) outcomes.push({ id, attempts, kind: 'failed', error: outcome.error })
    else {
      const delayMs = Math.max(Math.min(outcome.retryAfterMs ?? 0, RETRY_AFTER_CAP_MS), backoffMs(attempts))
      outcomes.push({ id, attempts, kind: 'retry', error: outcome.error, delayMs })
    }
  }

  let next = 0
  const worker = async () => {
    while (next < claimed.length) await deliverOne(claimed[next++])
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker))
  if (outcomes.length === 0) return result

  const values = outcomes.map((o) => ({
    id: o.id,
    attempts: o.attempts,
    kind: o.kind,
    provider_id: o.kind === 'sent' ? o.providerId : null,
    error: o.kind === 'failed' || o.kind === 'retry' ? o.error.slice(0, LAST_ERROR_MAX) : null,
    delay_ms: o.kind === 'retry' ? Math.round(o.delayMs ?? 0) : 0,
  }))
  // The token-bearing link leaves the database with the email (DESIGN: tokens stored only as SHA-256).
  const isDone = sql`v.kind in ('sent', 'failed')`
  const body = (column: SQL) => (opts.keepBodies ? column : sql`case when ${isDone} then ${REDACTED_BODY} else ${column} end`)
  // Every outcome is conditional on this very claim: a worker whose lease was taken over writes nothing.
  const written = (
    (await db.execute(sql`
      update email_outbox o set
        status = (case v.kind when 'sent' then 'sent' when 'failed' then 'failed' else 'pending' end)::email_status,
        attempts = case when v.kind = 'release' then o.attempts - 1 else o.attempts end,
        locked_until = null,
        sent_at = case when v.kind = 'sent' then ${now()} else o.sent_at end,
        provider_id = case when v.kind = 'sent' then v.provider_id else o.provider_id end,
        last_error = case v.kind when 'sent' then null when 'release' then o.last_error else v.error end,
        next_attempt_at = case when v.kind = 'retry' then ${now()} + v.delay_ms * interval '1 millisecond' else o.next_attempt_at end,
        html = ${body(sql`o.html`)},
        text = ${body(sql`o.text`)}
      from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, attempts int, kind text, provider_id text, error text, delay_ms double precision)
      where o.id = v.id and o.status = 'sending' and o.attempts = v.attempts
      returning v.kind`)) as unknown as { rows: { kind: Outcome['kind'] }[] }
  ).rows
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

/** Recent outbox rows, newest first, for the development mailbox page (never reachable in production). */
export async function listMailbox(db: Db, { limit = 50 }: { limit?: number } = {}) {
  return db
    .select({
      id: emailOutbox.id,
      kind: emailOutbox.kind,
      recipient: emailOutbox.recipient,
      subject: emailOutbox.subject,
      text: emailOutbox.text,
      html: emailOutbox.html,
      status: emailOutbox.status,
      createdAt: emailOutbox.createdAt,
    })
    .from(emailOutbox)
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(limit)
}

import 'server-only'
import { randomUUID } from 'node:crypto'
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { emailOutbox } from '@/db/schema'
import { MAX_BATCH_SIZE, SEND_TIMEOUT_MS, type BatchSendResult, type EmailTransport, type SendResult } from './transport'

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

/**
 * Queues several emails in one statement; ids come back in the order given. With `asBatch` they go
 * to the provider in one request (at most MAX_BATCH_SIZE), retried whole.
 */
export async function enqueueEmails(db: Db, emails: OutboxEmail[], { asBatch = false }: { asBatch?: boolean } = {}): Promise<{ id: string }[]> {
  if (emails.length === 0) return []
  if (asBatch && emails.length > MAX_BATCH_SIZE) throw new Error(`a batch holds at most ${MAX_BATCH_SIZE} emails, not ${emails.length}`)
  const ids = emails.map(() => randomUUID())
  const values = emails.map((email, i) => ({
    id: ids[i],
    batchId: asBatch ? ids[0] : null,
    kind: email.kind,
    recipient: email.to,
    subject: email.subject,
    html: email.html,
    text: email.text,
    idempotencyKey: email.idempotencyKey ?? `${email.kind}/${randomUUID()}`,
  }))
  await db.insert(emailOutbox).values(values)
  return ids.map((id) => ({ id }))
}

/**
 * enqueueEmails as the body of a data-modifying CTE, so emails are queued in the very statement
 * of the change that causes them: `source` is a SELECT of (id, kind, recipient, subject, html,
 * text, idempotency_key, batch_id). Rows given one batch_id (the id of one of them, which leads
 * the batch; at most MAX_BATCH_SIZE rows) go to the provider in one request.
 */
export function enqueueEmailsSql(source: SQL): SQL {
  return sql`insert into email_outbox (id, kind, recipient, subject, html, text, idempotency_key, batch_id) ${source}`
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
  // Only a batch's leader is ever claimed (locked) directly; its other rows follow it in the same
  // statement, so two workers never hold parts of one batch (and never deadlock over one).
  const isLeader = or(isNull(emailOutbox.batchId), eq(emailOutbox.batchId, emailOutbox.id))
  const leaders = db.$with('leaders').as(
    db
      .select({ id: emailOutbox.id })
      .from(emailOutbox)
      .where(and(due, isLeader, opts.onlyIds ? inArray(emailOutbox.id, opts.onlyIds) : undefined))
      .orderBy(asc(emailOutbox.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true }),
  )
  // The leaders and the rest of their batches, as one IN list (with OR, the planner read the whole table).
  const claimedIds = sql`(select ${leaders.id} from ${leaders} union all select f.id from email_outbox f where f.batch_id in (select ${leaders.id} from ${leaders}))`

  const claimStartedAt = performance.now()
  const claimed = await db
    .with(leaders)
    .update(emailOutbox)
    .set({ status: 'sending', attempts: sql`${emailOutbox.attempts} + 1`, lockedUntil: plusMs(leaseMs) })
    .where(sql`${emailOutbox.id} in ${claimedIds}`)
    .returning({
      id: emailOutbox.id,
      recipient: emailOutbox.recipient,
      subject: emailOutbox.subject,
      html: emailOutbox.html,
      text: emailOutbox.text,
      idempotencyKey: emailOutbox.idempotencyKey,
      attempts: emailOutbox.attempts,
      batchId: emailOutbox.batchId,
    })
  result.claimed = claimed.length

  type Claimed = (typeof claimed)[number]
  /**
   * What happened to each claimed row, written for the whole claim in one statement once its sends
   * are done (one round trip for 50 emails rather than 50). A worker that dies before writing
   * leaves its rows leased: they are sent again once the lease runs out, under the same idempotency
   * key, so the provider delivers each once.
   */
  type Outcome = { id: string; attempts: number; unbatch?: boolean } & (
    | { kind: 'sent'; providerId: string | null }
    | { kind: 'failed' | 'retry'; error: string; delayMs?: number }
    | { kind: 'release' }
  )
  const outcomes: Outcome[] = []

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

  const values = outcomes.map((o) => ({
    id: o.id,
    attempts: o.attempts,
    kind: o.kind,
    provider_id: o.kind === 'sent' ? o.providerId : null,
    error: o.kind === 'failed' || o.kind === 'retry' ? o.error.slice(0, LAST_ERROR_MAX) : null,
    delay_ms: o.kind === 'retry' ? Math.round(o.delayMs ?? 0) : 0,
    unbatch: o.unbatch ?? false,
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
        text = ${body(sql`o.text`)},
        batch_id = case when v.unbatch then null else o.batch_id end
      from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, attempts int, kind text, provider_id text, error text, delay_ms double precision, unbatch boolean)
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

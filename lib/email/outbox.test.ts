import { queryCounter } from '@/db/client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { eq, inArray, sql } from 'drizzle-orm'
import { emailOutbox } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { startFakeResend, type FakeResend } from '@/test/fake-resend'
import { enqueueEmail } from '@/lib/data/outbox/enqueue-email'
import { enqueueEmails } from '@/lib/data/outbox/enqueue-emails'
import { listMailbox } from '@/lib/data/outbox/list-mailbox'
import { REDACTED_BODY } from '@/lib/data/outbox/record-delivery-outcomes'
import { deliverDueEmails } from './outbox'
import { createResendTransport, MAX_BATCH_SIZE, SEND_TIMEOUT_MS, type EmailTransport } from './transport'

const FROM = 'Invitations <invites@example.com>'
const HOUR = 60 * 60_000

let t: TestDb
let fake: FakeResend
let transport: EmailTransport

beforeAll(async () => {
  ;[t, fake] = await Promise.all([createTestDb(), startFakeResend()])
  process.env.RESEND_BASE_URL = fake.url
  // The provider's default timeout: under a loaded machine a 1 s limit timed out real sends (a flaky retry).
  transport = createResendTransport('re_test_key', { timeoutMs: SEND_TIMEOUT_MS })
})
afterAll(async () => {
  delete process.env.RESEND_BASE_URL
  await Promise.all([t.cleanup(), fake.close()])
})
beforeEach(async () => {
  fake.reset()
  await t.db.delete(emailOutbox)
})

let n = 0
function enqueue(overrides: { kind?: string; to?: string; idempotencyKey?: string } = {}) {
  n++
  return enqueueEmail(t.db, {
    kind: overrides.kind ?? 'test',
    to: overrides.to ?? `user${n}@example.com`,
    subject: `Subject ${n}`,
    html: `<p>Open https://app.example.com/link/${n}</p>`,
    text: `Open https://app.example.com/link/${n}`,
    idempotencyKey: overrides.idempotencyKey,
  })
}

async function getRow(id: string) {
  const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id))
  return row
}

/**
 * A clock `ms` after the database's own now(), for due times and leases. Rounded up to the
 * millisecond: a Date truncates now()'s microseconds, and a row queued in the same millisecond
 * would then look due a little later than the clock (a flaky "nothing to claim").
 */
async function dbNowPlus(ms: number): Promise<Date> {
  const [{ now }] = await t.db.select({ now: sql<number>`ceil(extract(epoch from now()) * 1000)::float8` }).from(sql`(select 1) as one`)
  return new Date(Number(now) + ms)
}

describe('enqueueEmail', () => {
  it('writes a pending row with a stable default idempotency key', async () => {
    const { id } = await enqueue({ kind: 'sign-in' })
    const row = await getRow(id)
    expect(row).toMatchObject({ kind: 'sign-in', status: 'pending', attempts: 0, lockedUntil: null, providerId: null })
    expect(row.idempotencyKey).toMatch(/^sign-in\/[0-9a-f-]{36}$/)
  })

  it('commits or rolls back with the transaction it is given', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await enqueueEmail(tx, { kind: 'test', to: 'rolled-back@example.com', subject: 's', html: 'h', text: 't' })
        throw new Error('the cause failed')
      }),
    ).rejects.toThrow('the cause failed')
    const rows = await t.db.select().from(emailOutbox).where(eq(emailOutbox.recipient, 'rolled-back@example.com'))
    expect(rows).toHaveLength(0)
  })
})

describe('deliverDueEmails', () => {
  it('sends a pending email and records the provider id', async () => {
    const { id } = await enqueue({ to: 'ana@example.com' })
    const queued = await getRow(id)
    const result = await deliverDueEmails(t.db, transport, { from: FROM })
    expect(result).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 })
    const row = await getRow(id)
    expect(fake.emails).toHaveLength(1)
    expect(fake.emails[0]).toMatchObject({ from: FROM, to: ['ana@example.com'], subject: queued.subject, html: queued.html, text: queued.text })
    // The body (it may hold a single-use link) leaves the database with the email.
    expect(row).toMatchObject({ html: REDACTED_BODY, text: REDACTED_BODY })
    expect(row).toMatchObject({ status: 'sent', attempts: 1, providerId: fake.emails[0].id, lockedUntil: null, lastError: null })
    expect(row.sentAt).toBeInstanceOf(Date)
    // Nothing is due any more.
    expect(await deliverDueEmails(t.db, transport, { from: FROM })).toEqual({ claimed: 0, sent: 0, retried: 0, failed: 0 })
  })

  it('retries a 500 later with the same idempotency key, then marks it sent', async () => {
    const { id } = await enqueue()
    fake.failNext({ status: 500 })
    const before = await dbNowPlus(0)
    expect(await deliverDueEmails(t.db, transport, { from: FROM })).toMatchObject({ claimed: 1, retried: 1 })
    let row = await getRow(id)
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: null })
    expect(row.lastError).toContain('500')
    // Backoff after the first attempt: between 1 and 2 seconds (half fixed, half jitter).
    expect(row.nextAttemptAt.getTime() - before.getTime()).toBeGreaterThanOrEqual(1_000)
    expect(row.nextAttemptAt.getTime() - before.getTime()).toBeLessThan(3_000)
    // Not due yet: a sweep right now leaves it alone.
    expect((await deliverDueEmails(t.db, transport, { from: FROM })).claimed).toBe(0)

    const later = await dbNowPlus(HOUR)
    expect(await deliverDueEmails(t.db, transport, { from: FROM, now: () => later })).toMatchObject({ claimed: 1, sent: 1 })
    row = await getRow(id)
    expect(row).toMatchObject({ status: 'sent', attempts: 2, providerId: fake.emails[0].id, lastError: null })
    expect(row.sentAt?.getTime()).toBe(later.getTime())
    expect(fake.requests.map((r) => r.outcome)).toEqual(['fault:500', 'recorded'])
    expect(fake.requests.map((r) => r.idempotencyKey)).toEqual([row.idempotencyKey, row.idempotencyKey])
  })

  it('waits at least the Retry-After of a 429', async () => {
    const { id } = await enqueue()
    fake.failNext({ status: 429, retryAfterSeconds: 30 })
    const clock = await dbNowPlus(0)
    expect(await deliverDueEmails(t.db, transport, { from: FROM, now: () => clock })).toMatchObject({ retried: 1 })
    const row = await getRow(id)
    expect(row.status).toBe('pending')
    expect(row.lastError).toContain('rate_limit_exceeded')
    expect(row.nextAttemptAt.getTime()).toBe(clock.getTime() + 30_000)
    const justBefore = new Date(clock.getTime() + 29_000)
    expect((await deliverDueEmails(t.db, transport, { from: FROM, now: () => justBefore })).claimed).toBe(0)
    const after = new Date(clock.getTime() + 30_000)
    expect(await deliverDueEmails(t.db, transport, { from: FROM, now: () => after })).toMatchObject({ sent: 1 })
  })

  it('fails a 422 at once and keeps the error', async () => {
    const { id } = await enqueue()
    fake.failNext({ status: 422 })
    expect(await deliverDueEmails(t.db, transport, { from: FROM })).toEqual({ claimed: 1, sent: 0, retried: 0, failed: 1 })
    const row = await getRow(id)
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lockedUntil: null, providerId: null })
    expect(row.lastError).toMatch(/422 validation_error/)
    const farLater = await dbNowPlus(24 * HOUR)
    expect((await deliverDueEmails(t.db, transport, { from: FROM, now: () => farLater })).claimed).toBe(0)
    expect(fake.calls).toBe(1)
  })

  it('marks a row failed when its attempts run out', async () => {
    const { id } = await enqueue()
    fake.failNext({ status: 503, times: 10 })
    const outcomes = []
    for (let i = 1; i <= 4; i++) {
      const clock = await dbNowPlus(i * HOUR)
      outcomes.push(await deliverDueEmails(t.db, transport, { from: FROM, maxAttempts: 3, now: () => clock }))
    }
    expect(outcomes.map((o) => [o.claimed, o.retried, o.failed])).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [1, 0, 1],
      [0, 0, 0],
    ])
    const row = await getRow(id)
    expect(row).toMatchObject({ status: 'failed', attempts: 3 })
    expect(row.lastError).toContain('503')
    expect(fake.calls).toBe(3)
    expect(fake.emails).toHaveLength(0)
  })

  it('reclaims a row whose worker died mid-send, and the provider keeps one email', async () => {
    const { id } = await enqueue()
    const row = await getRow(id)
    // The dead worker's attempt reached the provider before it died.
    const first = await transport.send({ from: FROM, to: row.recipient, subject: row.subject, html: row.html, text: row.text, idempotencyKey: row.idempotencyKey })
    expect(first.ok).toBe(true)
    await t.db.update(emailOutbox).set({ status: 'sending', attempts: 1, lockedUntil: sql`now() - interval '1 second'` }).where(eq(emailOutbox.id, id))
    // A live worker's row (lease in the future) is not touched.
    const { id: leasedId } = await enqueue()
    await t.db.update(emailOutbox).set({ status: 'sending', attempts: 1, lockedUntil: sql`now() + interval '1 minute'` }).where(eq(emailOutbox.id, leasedId))

    expect(await deliverDueEmails(t.db, transport, { from: FROM })).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 })
    expect(await getRow(id)).toMatchObject({ status: 'sent', attempts: 2, providerId: fake.emails[0].id })
    expect(await getRow(leasedId)).toMatchObject({ status: 'sending', attempts: 1 })
    expect(fake.emails).toHaveLength(1)
    expect(fake.requests.map((r) => r.outcome)).toEqual(['recorded', 'duplicate'])
  })

  it('gives up on a row reclaimed after its last allowed attempt, without sending again', async () => {
    const { id } = await enqueue()
    await t.db.update(emailOutbox).set({ status: 'sending', attempts: 3, lockedUntil: sql`now() - interval '1 second'` }).where(eq(emailOutbox.id, id))
    expect(await deliverDueEmails(t.db, transport, { from: FROM, maxAttempts: 3 })).toEqual({ claimed: 1, sent: 0, retried: 0, failed: 1 })
    const row = await getRow(id)
    expect(row.status).toBe('failed')
    expect(row.lastError).toContain('gave up after 3 attempts')
    expect(fake.calls).toBe(0)
  })

  it('after a lost response, the retry does not send a second email', async () => {
    const { id } = await enqueue()
    fake.failNext({ mode: 'drop', afterRecord: true })
    expect(await deliverDueEmails(t.db, transport, { from: FROM })).toMatchObject({ retried: 1 })
    expect((await getRow(id)).status).toBe('pending')
    expect(fake.emails).toHaveLength(1)

    const later = await dbNowPlus(HOUR)
    expect(await deliverDueEmails(t.db, transport, { from: FROM, now: () => later })).toMatchObject({ sent: 1 })
    const row = await getRow(id)
    expect(fake.emails).toHaveLength(1)
    expect(fake.emails[0].idempotencyKey).toBe(row.idempotencyKey)
    expect(row).toMatchObject({ status: 'sent', attempts: 2, providerId: fake.emails[0].id })
    expect(fake.requests.map((r) => r.outcome)).toEqual(['fault:drop', 'duplicate'])
  })

  it('does not let a worker whose lease was taken over overwrite the newer claim', async () => {
    const { id } = await enqueue()
    const farLater = await dbNowPlus(HOUR)
    let takeover: Promise<unknown> | undefined
    // The first worker's send stalls; meanwhile its lease runs out and another worker delivers the row.
    const stalling: EmailTransport = {
      async send() {
        takeover = deliverDueEmails(t.db, transport, { from: FROM, now: () => farLater })
        await takeover
        return { ok: false, retryable: true, error: 'timed out' }
      },
    }
    const stale = await deliverDueEmails(t.db, stalling, { from: FROM })
    expect(await takeover).toMatchObject({ claimed: 1, sent: 1 })
    expect(stale).toEqual({ claimed: 1, sent: 0, retried: 0, failed: 0 })
    expect(await getRow(id)).toMatchObject({ status: 'sent', attempts: 2, providerId: fake.emails[0].id, lastError: null })
  })

  it('delivers only the given ids when asked', async () => {
    const [a, b] = [await enqueue(), await enqueue()]
    expect(await deliverDueEmails(t.db, transport, { from: FROM, onlyIds: [a.id] })).toMatchObject({ claimed: 1, sent: 1 })
    expect(await deliverDueEmails(t.db, transport, { from: FROM, onlyIds: [] })).toMatchObject({ claimed: 0 })
    expect((await getRow(a.id)).status).toBe('sent')
    expect((await getRow(b.id)).status).toBe('pending')
  })

  it('sends each of 200 rows exactly once when four workers race', async () => {
    const ids: string[] = []
    for (let i = 0; i < 200; i++) ids.push((await enqueue({ kind: 'race' })).id)
    // A little latency at the provider keeps claims overlapping.
    fake.setDelayMs(t.isRealPostgres ? 5 : 1)
    const runWorker = async () => {
      let claimed = 0
      for (;;) {
        const r = await deliverDueEmails(t.db, transport, { from: FROM, limit: 15, concurrency: 4 })
        if (r.claimed === 0) return claimed
        claimed += r.claimed
      }
    }
    const perWorker = await Promise.all([runWorker(), runWorker(), runWorker(), runWorker()])
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(200)

    const rows = await t.db.select().from(emailOutbox).where(inArray(emailOutbox.id, ids))
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true)
    expect(fake.calls).toBe(200)
    expect(fake.emails).toHaveLength(200)
    expect(new Set(fake.emails.map((e) => e.idempotencyKey)).size).toBe(200)
    expect(new Set(rows.map((r) => r.providerId))).toEqual(new Set(fake.emails.map((e) => e.id)))
  })
  it('writes the outcomes of a whole claim in one statement, each as it should be (sent, retried, failed)', async () => {
    const ids: string[] = []
    for (let i = 0; i < 30; i++) ids.push((await enqueue({ kind: 'batch', to: `batch${i}@example.com` })).id)
    fake.failNext({ status: 500, onlyTo: 'batch3@example.com' })
    fake.failNext({ status: 422, onlyTo: 'batch7@example.com' })
    const log: string[] = []
    queryCounter.log = log
    let result
    try {
      result = await deliverDueEmails(t.db, transport, { from: FROM, limit: 30 })
    } finally {
      queryCounter.log = null
    }
    expect(result).toEqual({ claimed: 30, sent: 28, retried: 1, failed: 1 })
    // The claim, then the outcomes: not one statement per email.
    expect(log, log.join('\n')).toHaveLength(2)
    const rows = new Map((await t.db.select().from(emailOutbox).where(inArray(emailOutbox.id, ids))).map((r) => [r.recipient, r]))
    expect(rows.get('batch3@example.com')).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: null, html: expect.stringContaining('/link/') })
    expect(rows.get('batch3@example.com')!.lastError).toMatch(/500|internal/i)
    expect(rows.get('batch3@example.com')!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now())
    expect(rows.get('batch7@example.com')).toMatchObject({ status: 'failed', lockedUntil: null, html: REDACTED_BODY, text: REDACTED_BODY })
    expect(rows.get('batch0@example.com')).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null, lastError: null, html: REDACTED_BODY })
    expect(rows.get('batch0@example.com')!.sentAt).toBeInstanceOf(Date)
    expect(fake.emails).toHaveLength(28)
  })
})

describe('listMailbox', () => {
  it('lists recent emails newest first, limited', async () => {
    const ids = []
    for (let i = 0; i < 3; i++) {
      ids.push((await enqueue()).id)
      await t.db.update(emailOutbox).set({ createdAt: sql`now() + ${`${i} seconds`}::interval` }).where(eq(emailOutbox.id, ids[i]))
    }
    const list = await listMailbox(t.db, { limit: 2 })
    expect(list.map((e) => e.id)).toEqual([ids[2], ids[1]])
    expect(Object.keys(list[0]).sort()).toEqual(['createdAt', 'html', 'id', 'kind', 'recipient', 'status', 'subject', 'text'])
    expect(list[0]).toMatchObject({ kind: 'test', status: 'pending' })
  })
})

describe('bodies after delivery', () => {
  it('keeps them only when asked (the dev mailbox)', async () => {
    const { id } = await enqueue({ to: 'dev@example.com' })
    const queued = await getRow(id)
    await deliverDueEmails(t.db, transport, { from: FROM, onlyIds: [id], keepBodies: true })
    expect(await getRow(id)).toMatchObject({ status: 'sent', html: queued.html, text: queued.text })
  })

  it('removes them from failed rows too', async () => {
    const { id } = await enqueue({ to: 'bad@example.com' })
    fake.failNext({ status: 422 })
    await deliverDueEmails(t.db, transport, { from: FROM, onlyIds: [id] })
    expect(await getRow(id)).toMatchObject({ status: 'failed', html: REDACTED_BODY, text: REDACTED_BODY })
  })
})

describe('enqueueEmails', () => {
  it('queues a batch in one statement and returns each id in the order given', async () => {
    const start = queryCounter.count
    const emails = ['one', 'two', 'three'].map((n) => ({ kind: 'test', to: `${n}@example.com`, subject: n, html: `<p>${n}</p>`, text: n }))
    const ids = await enqueueEmails(t.db, emails)
    expect(queryCounter.count - start).toBe(1)
    for (const [i, { id }] of ids.entries()) expect((await getRow(id)).recipient).toBe(emails[i].to)
  })
})

describe('batches', () => {
  let b = 0
  async function enqueueBatch(size: number, prefix = 'batch') {
    b++
    const emails = Array.from({ length: size }, (_, i) => ({
      kind: 'test',
      to: `${prefix}${b}-${i}@example.com`,
      subject: `Batch ${b}`,
      html: `<p>https://app.example.com/link/${b}/${i}</p>`,
      text: `https://app.example.com/link/${b}/${i}`,
    }))
    return (await enqueueEmails(t.db, emails, { asBatch: true })).map((r) => r.id)
  }
  const rowsOf = (ids: string[]) => t.db.select().from(emailOutbox).where(inArray(emailOutbox.id, ids))

  it('sends a batch in one provider request and records each email’s own provider id', async () => {
    const ids = await enqueueBatch(5)
    const log: string[] = []
    queryCounter.log = log
    let result
    try {
      result = await deliverDueEmails(t.db, transport, { from: FROM, onlyIds: ids, limit: ids.length })
    } finally {
      queryCounter.log = null
    }
    expect(result).toEqual({ claimed: 5, sent: 5, retried: 0, failed: 0 })
    expect(log, log.join('\n')).toHaveLength(2)
    expect(fake.requests).toEqual([{ size: 5, idempotencyKey: expect.stringMatching(/^batch\/test\//), outcome: 'recorded' }])
    const rows = await rowsOf(ids)
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.html === REDACTED_BODY)).toBe(true)
    const idByRecipient = new Map(fake.emails.map((e) => [e.to[0], e.id]))
    for (const row of rows) expect(row.providerId).toBe(idByRecipient.get(row.recipient))
  })

  it('claims a batch whole, even when the claim is limited to one row', async () => {
    const ids = await enqueueBatch(4)
    const single = (await enqueue()).id
    expect(await deliverDueEmails(t.db, transport, { from: FROM, limit: 1 })).toMatchObject({ claimed: 4, sent: 4 })
    expect((await getRow(single)).status).toBe('pending')
    expect((await rowsOf(ids)).every((r) => r.status === 'sent')).toBe(true)
  })

  it('retries the very same request under the same key, so an accepted batch whose answer was lost is sent once', async () => {
    const ids = await enqueueBatch(3)
    fake.failNext({ mode: 'drop', afterRecord: true })
    expect(await deliverDueEmails(t.db, transport, { from: FROM })).toMatchObject({ claimed: 3, retried: 3 })
    expect((await rowsOf(ids)).every((r) => r.status === 'pending' && r.attempts === 1 && r.lastError)).toBe(true)
    const later = await dbNowPlus(HOUR)
    expect(await deliverDueEmails(t.db, transport, { from: FROM, now: () => later })).toMatchObject({ claimed: 3, sent: 3 })
    expect(fake.requests.map((r) => r.outcome)).toEqual(['fault:drop', 'duplicate'])
    expect(fake.requests[0].idempotencyKey).toBe(fake.requests[1].idempotencyKey)
    expect(fake.emails).toHaveLength(3)
    const rows = await rowsOf(ids)
    expect(new Set(rows.map((r) => r.providerId))).toEqual(new Set(fake.emails.map((e) => e.id)))
  })

  it('sends the emails of a refused batch one by one, so one bad email does not hold back the others', async () => {
    const ids = await enqueueBatch(3)
    // The provider refuses a batch when one of its emails is invalid; here the second has no subject.
    await t.db.update(emailOutbox).set({ subject: '' }).where(eq(emailOutbox.id, ids[1]))
    expect(await deliverDueEmails(t.db, transport, { from: FROM })).toEqual({ claimed: 3, sent: 2, retried: 0, failed: 1 })
    expect(fake.requests[0]).toMatchObject({ size: 3, outcome: 'rejected' })
    // Then each alone, under its own key.
    expect(fake.requests.slice(1).map((r) => `${r.size} ${r.outcome}`).sort()).toEqual(['1 recorded', '1 recorded', '1 rejected'])
    expect(new Set(fake.requests.slice(1).map((r) => r.idempotencyKey))).toEqual(new Set((await rowsOf(ids)).map((r) => r.idempotencyKey)))
    const rows = new Map((await rowsOf(ids)).map((r) => [r.id, r]))
    expect(rows.get(ids[0])).toMatchObject({ status: 'sent', batchId: null })
    expect(rows.get(ids[1])).toMatchObject({ status: 'failed', batchId: null })
    expect(rows.get(ids[1])!.lastError).toContain('422')
    expect(rows.get(ids[2])).toMatchObject({ status: 'sent', batchId: null })
  })

  it('retries a batch the provider could not take now as a whole, after its backoff', async () => {
    const ids = await enqueueBatch(2)
    fake.failNext({ status: 429, retryAfterSeconds: 30 })
    const clock = await dbNowPlus(0)
    expect(await deliverDueEmails(t.db, transport, { from: FROM, now: () => clock })).toMatchObject({ claimed: 2, retried: 2 })
    const rows = await rowsOf(ids)
    expect(rows.every((r) => r.status === 'pending' && r.batchId === ids[0] && r.nextAttemptAt.getTime() === clock.getTime() + 30_000)).toBe(true)
  })

  it('sends each batch exactly once when four workers race over batches and single emails', async () => {
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push(...(await enqueueBatch(1 + (i % 7), 'race')))
    for (let i = 0; i < 20; i++) ids.push((await enqueue({ kind: 'race' })).id)
    fake.setDelayMs(t.isRealPostgres ? 5 : 1)
    const runWorker = async () => {
      let claimed = 0
      for (;;) {
        const r = await deliverDueEmails(t.db, transport, { from: FROM, limit: 3, concurrency: 2 })
        if (r.claimed === 0) return claimed
        claimed += r.claimed
      }
    }
    const perWorker = await Promise.all([runWorker(), runWorker(), runWorker(), runWorker()])
    expect(perWorker.reduce((x, y) => x + y, 0)).toBe(ids.length)
    const rows = await rowsOf(ids)
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true)
    expect(fake.emails).toHaveLength(ids.length)
    expect(new Set(fake.emails.map((e) => e.to[0])).size).toBe(ids.length)
    // One request per batch (three of them hold one email), one per email queued alone.
    expect(fake.calls).toBe(20 + 20)
    expect(fake.requests.filter((r) => r.size > 1)).toHaveLength(17)
  })

  it('refuses a batch larger than the provider takes', async () => {
    const emails = Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, i) => ({ kind: 'test', to: `big${i}@example.com`, subject: 's', html: 'h', text: 't' }))
    await expect(enqueueEmails(t.db, emails, { asBatch: true })).rejects.toThrow(`at most ${MAX_BATCH_SIZE}`)
    expect(await t.db.select().from(emailOutbox)).toHaveLength(0)
  })
})

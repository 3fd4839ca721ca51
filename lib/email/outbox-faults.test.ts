// Issue 5, items 1–2, small: the outbox under a faulty provider, with two delivery loops, one of
// them abandoned mid-send (a process killed with its claimed rows in 'sending'). The long run with
// two processes and SIGKILL is `npm run reliability` (scripts/reliability/outbox-faults.ts).
// Runs on PGlite (both loops share its one connection) and on Postgres (DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { emailOutbox } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { startFakeResend, type FakeResend } from '@/test/fake-resend'
import { mixedFaults } from '@/scripts/reliability/fault-mix'
import { enqueueEmail } from '@/lib/data/outbox/enqueue-email'
import { enqueueEmails } from '@/lib/data/outbox/enqueue-emails'
import { deliverDueEmails, type DeliverResult } from './outbox'
import { createResendTransport, type EmailTransport } from './transport'

const FROM = 'Invitations <invites@example.com>'
const EMAILS = 100
const LEASE_MS = 1_500
const SEND_TIMEOUT_MS = 500
const FAULTS_FOR_MS = 3_000
const ABANDON_AT = 30

let t: TestDb
let fake: FakeResend
let transport: EmailTransport

beforeAll(async () => {
  ;[t, fake] = await Promise.all([createTestDb(), startFakeResend()])
  process.env.RESEND_BASE_URL = fake.url
  transport = createResendTransport('re_test_key', { timeoutMs: SEND_TIMEOUT_MS })
})
afterAll(async () => {
  delete process.env.RESEND_BASE_URL
  await Promise.all([t.cleanup(), fake.close()])
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function openRows(): Promise<number> {
  const [{ n }] = await t.db
    .select({ n: sql<number>`count(*)::int` })
    .from(emailOutbox)
    .where(sql`${emailOutbox.status} in ('pending', 'sending')`)
  return n
}

/** Delivers what is due, again and again, like the app's sweep on one instance. */
async function deliveryLoop(via: EmailTransport, shouldStop: () => boolean): Promise<DeliverResult> {
  const totals: DeliverResult = { claimed: 0, sent: 0, retried: 0, failed: 0 }
  while (!shouldStop()) {
    const r = await deliverDueEmails(t.db, via, { from: FROM, limit: 10, leaseMs: LEASE_MS, maxAttempts: 50, concurrency: 4 })
    totals.claimed += r.claimed
    totals.sent += r.sent
    totals.retried += r.retried
    totals.failed += r.failed
    if (r.claimed === 0) await sleep(25)
  }
  return totals
}

describe('outbox delivery under provider faults, with a delivery loop that dies mid-send', () => {
  it(`delivers ${EMAILS} emails, each recorded exactly once per idempotency key, none lost, none left pending`, { timeout: 60_000 }, async () => {
    const started = Date.now()
    for (let i = 1; i <= EMAILS; i++) {
      await enqueueEmail(t.db, {
        kind: 'invitation',
        to: `invitee-${i}@example.com`,
        subject: `You are invited to Organization ${i}`,
        html: `<p><a href="https://app.example.com/invitations/token-${i}">Accept</a></p>`,
        text: `Accept: https://app.example.com/invitations/token-${i}`,
      })
    }
    const keys = (await t.db.select({ key: emailOutbox.idempotencyKey }).from(emailOutbox)).map((r) => r.key)
    expect(new Set(keys).size).toBe(EMAILS)

    // One of each kind first, so every kind is seen whatever the dice say; then 30% at random.
    fake.failNext({ mode: 'status', status: 500 })
    fake.failNext({ mode: 'hang' })
    fake.failNext({ mode: 'status', status: 429, retryAfterSeconds: 1 })
    fake.failNext({ mode: 'drop', afterRecord: true })
    fake.setFaultRate(mixedFaults(0.3, { retryAfterSeconds: 1 }).spec)

    // Loop A dies once the fake holds ABANDON_AT emails: from then on its sends still go out (the
    // provider may record them) but never report back, and it claims nothing more. Its claimed rows
    // stay 'sending' until their lease runs out and loop B takes them over.
    let abandoned = false
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const stuckKeys: string[] = []
    const dyingTransport: EmailTransport = {
      async send(m) {
        if (!abandoned) return transport.send(m)
        stuckKeys.push(m.idempotencyKey)
        const result = await transport.send(m)
        await released
        return result
      },
    }
    let stopB = false
    const loopA = deliveryLoop(dyingTransport, () => abandoned && stuckKeys.length > 0)
    const loopB = deliveryLoop(transport, () => stopB)

    let checkedStuck = false
    let stuckStillLeased = -1
    let faultsOff = false
    let finished = false
    while (Date.now() - started < 40_000) {
      await sleep(10)
      if (!abandoned && fake.emails.length >= ABANDON_AT) abandoned = true
      if (abandoned && stuckKeys.length > 0 && !checkedStuck) {
        // The dead loop's row is still leased to it: nobody may take it yet.
        const [{ n }] = await t.db
          .select({ n: sql<number>`count(*)::int` })
          .from(emailOutbox)
          .where(sql`${emailOutbox.status} = 'sending' and ${emailOutbox.idempotencyKey} = ${stuckKeys[0]}`)
        stuckStillLeased = n
        checkedStuck = true
      }
      if (!faultsOff && Date.now() - started >= FAULTS_FOR_MS) {
        fake.setFaultRate(null)
        faultsOff = true
      }
      if (faultsOff && checkedStuck && (await openRows()) === 0) {
        finished = true
        break
      }
    }
    stopB = true
    const totalsB = await loopB
    // The dead loop comes back to life (a paused process, not a killed one): its late outcomes
    // must change nothing, since B's claims took the rows over.
    release()
    const totalsA = await loopA

    expect(finished, 'rows still pending or sending after 40 s').toBe(true)
    expect(stuckKeys.length).toBeGreaterThan(0)
    expect(stuckStillLeased, "the dead loop's row stayed in 'sending' under its lease").toBe(1)

    const rows = await t.db
      .select({ key: emailOutbox.idempotencyKey, status: emailOutbox.status, attempts: emailOutbox.attempts, providerId: emailOutbox.providerId })
      .from(emailOutbox)
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([])
    // The abandoned rows were taken over after their lease ran out (a second claim), then sent.
    for (const key of stuckKeys) expect(rows.find((r) => r.key === key)?.attempts).toBeGreaterThanOrEqual(2)

    // Exactly one email per idempotency key at the provider, for every row and nothing else.
    const recordedKeys = fake.emails.map((e) => e.idempotencyKey)
    expect(recordedKeys).toHaveLength(EMAILS)
    expect(new Set(recordedKeys).size).toBe(EMAILS)
    expect([...recordedKeys].sort()).toEqual([...keys].sort())
    expect(fake.emails.every((e) => e.to.length === 1)).toBe(true)
    // Each row names the very email the provider holds for its key.
    const idByKey = new Map(fake.emails.map((e) => [e.idempotencyKey, e.id]))
    expect(rows.filter((r) => r.providerId !== idByKey.get(r.key))).toEqual([])

    const outcomes: Record<string, number> = {}
    for (const r of fake.requests) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1
    expect(outcomes.rejected ?? 0).toBe(0)
    for (const kind of ['fault:500', 'fault:429', 'fault:hang', 'fault:drop']) expect(outcomes[kind], kind).toBeGreaterThan(0)
    // Every email recorded before its answer was lost went again, and the key absorbed it.
    const dropped = new Set(fake.requests.filter((r) => r.outcome === 'fault:drop').map((r) => r.idempotencyKey))
    const absorbed = new Set(fake.requests.filter((r) => r.outcome === 'duplicate').map((r) => r.idempotencyKey))
    for (const key of dropped) expect(absorbed.has(key), `retry of ${key} absorbed`).toBe(true)

    expect(totalsA.sent + totalsB.sent).toBe(EMAILS)
    expect(totalsA.failed + totalsB.failed).toBe(0)
    console.log(
      `[outbox-faults] ${t.isRealPostgres ? 'Postgres' : 'PGlite'}: ${EMAILS} emails in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `${fake.calls} POSTs (${JSON.stringify(outcomes)}); loop A sent ${totalsA.sent} before dying with ${stuckKeys.length} sends in flight, ` +
        `loop B sent ${totalsB.sent}`,
    )
  })
})

describe('batches under provider faults, with a delivery loop that dies mid-send', () => {
  it('delivers 20 batches of 5, each email recorded exactly once, none lost', { timeout: 60_000 }, async () => {
    await t.db.delete(emailOutbox)
    fake.reset()
    const started = Date.now()
    const BATCHES = 20
    const SIZE = 5
    for (let b = 1; b <= BATCHES; b++) {
      const emails = Array.from({ length: SIZE }, (_, i) => ({
        kind: 'invitation',
        to: `batch-${b}-${i}@example.com`,
        subject: `You are invited to Organization ${b}`,
        html: `<p><a href="https://app.example.com/invitations/token-${b}-${i}">Accept</a></p>`,
        text: `Accept: https://app.example.com/invitations/token-${b}-${i}`,
      }))
      await enqueueEmails(t.db, emails, { asBatch: true })
    }
    fake.failNext({ mode: 'status', status: 500 })
    fake.failNext({ mode: 'hang' })
    fake.failNext({ mode: 'drop', afterRecord: true })
    fake.setFaultRate(mixedFaults(0.3, { retryAfterSeconds: 1 }).spec)

    // Loop A dies (its batch sends go out but never report back) once the provider holds 25 emails.
    let abandoned = false
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let stuck = 0
    const dyingTransport: EmailTransport = {
      send: (m) => transport.send(m),
      async sendBatch(messages, key) {
        if (!abandoned) return transport.sendBatch!(messages, key)
        stuck++
        const result = await transport.sendBatch!(messages, key)
        await released
        return result
      },
    }
    let stopB = false
    const loopA = deliveryLoop(dyingTransport, () => abandoned && stuck > 0)
    const loopB = deliveryLoop(transport, () => stopB)
    let finished = false
    while (Date.now() - started < 40_000) {
      await sleep(10)
      if (!abandoned && fake.emails.length >= 25) abandoned = true
      if (Date.now() - started >= FAULTS_FOR_MS) fake.setFaultRate(null)
      if (Date.now() - started >= FAULTS_FOR_MS && stuck > 0 && (await openRows()) === 0) {
        finished = true
        break
      }
    }
    stopB = true
    await loopB
    release()
    await loopA

    expect(finished, 'rows still pending or sending after 40 s').toBe(true)
    expect(stuck).toBeGreaterThan(0)
    const rows = await t.db.select().from(emailOutbox)
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([])
    // Every email once at the provider, each under its batch's key, and each row names its own.
    expect(fake.emails).toHaveLength(BATCHES * SIZE)
    expect(new Set(fake.emails.map((e) => e.to[0])).size).toBe(BATCHES * SIZE)
    expect(new Set(fake.emails.map((e) => e.idempotencyKey)).size).toBe(BATCHES * SIZE)
    const idByRecipient = new Map(fake.emails.map((e) => [e.to[0], e.id]))
    expect(rows.filter((r) => r.providerId !== idByRecipient.get(r.recipient))).toEqual([])
    // Only batch requests went out (no batch was split), and lost answers were absorbed by their key.
    expect(fake.requests.every((r) => r.size === SIZE)).toBe(true)
    const dropped = new Set(fake.requests.filter((r) => r.outcome === 'fault:drop').map((r) => r.idempotencyKey))
    const absorbed = new Set(fake.requests.filter((r) => r.outcome === 'duplicate').map((r) => r.idempotencyKey))
    expect(dropped.size).toBeGreaterThan(0)
    for (const key of dropped) expect(absorbed.has(key), `retry of ${key} absorbed`).toBe(true)
  })
})

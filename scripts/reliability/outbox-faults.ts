// `npm run reliability`: email delivery under faults, two app processes, one killed (issue 5, items 1–2).
//
// A throwaway database on DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres,
// dropped at the end); 1,000 invitation-like emails queued with the product's enqueueEmail (the
// first half one by one, the rest in batches of --batch, as an invite of several addresses queues
// them, sent with the provider's batch endpoint); the
// fake Resend server (test/fake-resend.ts) in this process, failing a share of POST /emails with a
// mix of 500, 429 (Retry-After: 1), hangs and connections dropped after the email was recorded;
// two worker processes (worker.ts: their own pg pool, the real Resend SDK transport, the product's
// deliverDueEmails in a loop). Once the fake has recorded --kill-at emails, one worker gets
// SIGKILL (its whole process group) and a replacement starts. After --faults-for seconds the
// faults stop. When no row is pending or sending, it checks and prints the result; exit 1 on any
// violation (or when delivery does not finish within --timeout seconds).
//
// Options: --emails=1000 --fault-rate=0.3 --faults-for=30 --kill-at=300 --timeout=300
//          --lease-ms=5000 --send-timeout-ms=2000 --batch=10 (0: every email alone)
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { Client } from 'pg'
import { sql } from 'drizzle-orm'
import { startFakeResend, type FakeResend } from '../../test/fake-resend'
import { isAlive, signalGroup, startProcess } from '../lib/processes'
import { FAULT_KINDS, mixedFaults } from './fault-mix'
import { dbClient, dbMigrate, outbox, schema } from './product'

const args = new Map(
  process.argv.slice(2).flatMap((a) => {
    const m = a.match(/^--([\w-]+)=(.*)$/)
    return m ? [[m[1], m[2]] as const] : []
  }),
)
const opt = (name: string, d: number) => {
  const v = args.get(name)
  if (v === undefined) return d
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`)
  return n
}
const EMAILS = opt('emails', 1_000)
const FAULT_RATE = opt('fault-rate', 0.3)
const FAULTS_FOR_MS = opt('faults-for', 30) * 1_000
const KILL_AT = opt('kill-at', Math.round(EMAILS * 0.3))
const TIMEOUT_MS = opt('timeout', 300) * 1_000
const LEASE_MS = opt('lease-ms', 5_000)
const SEND_TIMEOUT_MS = opt('send-timeout-ms', 2_000)
const MAX_ATTEMPTS = 100
const BATCH = opt('batch', 10)

const baseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const host = new URL(baseUrl).hostname
if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
  throw new Error(`DATABASE_URL must point at a loopback Postgres for this run (got host ${host})`)
}

const started = performance.now()
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const since = () => performance.now() - started
const log = (line: string) => console.log(`[${secs(since()).padStart(7)}] ${line}`)
const violations: string[] = []

// --- the database ------------------------------------------------------------------------------
const dbName = `reliability_${randomBytes(6).toString('hex')}`
async function admin(query: string) {
  const c = new Client({ connectionString: baseUrl })
  await c.connect()
  try {
    await c.query(query)
  } finally {
    await c.end()
  }
}
await admin(`create database ${dbName}`)
const dbUrlObj = new URL(baseUrl)
dbUrlObj.pathname = `/${dbName}`
const dbUrl = dbUrlObj.toString()
const handle = dbClient.openDb({ databaseUrl: dbUrl, poolSize: 5 })
const { emailOutbox } = schema

// --- worker processes --------------------------------------------------------------------------
interface Worker {
  name: string
  child: ChildProcess
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stats: Record<string, number | string> | null
  expectedExit: boolean
}
const workers: Worker[] = []

function startWorker(name: string, fake: FakeResend): Worker {
  // Its own process group (npx → tsx → node): SIGKILL to the group kills the instance outright.
  const child = startProcess('npx', ['tsx', 'scripts/reliability/worker.ts'], {
    output: 'pipe',
    env: {
      DATABASE_URL: dbUrl,
      RESEND_BASE_URL: fake.url,
      WORKER_NAME: name,
      LEASE_MS: String(LEASE_MS),
      SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
      MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    },
  })
  const w: Worker = {
    name,
    child,
    stats: null,
    expectedExit: false,
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  }
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      w.stats = JSON.parse(line)
    } catch {
      log(`${name}: ${line}`)
    }
  })
  createInterface({ input: child.stderr! }).on('line', (line) => log(`${name} (stderr): ${line}`))
  void w.exited.then(({ code, signal }) => {
    if (!w.expectedExit) {
      violations.push(`${name} exited on its own (code ${code}, signal ${signal})`)
      log(`${name} exited unexpectedly (code ${code}, signal ${signal})`)
    }
  })
  workers.push(w)
  return w
}

/** Until npx and the node process doing the work (its pid is in its reports) are both gone. */
async function waitGone(w: Worker, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms
  const workerPid = typeof w.stats?.pid === 'number' ? w.stats.pid : null
  for (;;) {
    const npxDone = w.child.exitCode !== null || w.child.signalCode !== null
    if (npxDone && (workerPid === null || !isAlive(workerPid))) return true
    if (performance.now() >= deadline) return false
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function stopWorker(w: Worker) {
  if (await waitGone(w, 0)) return
  w.expectedExit = true
  // SIGTERM: the worker finishes the batch in hand and closes its pool (npx may exit before it does).
  signalGroup(w.child, 'SIGTERM')
  if (!(await waitGone(w, 15_000))) {
    signalGroup(w.child, 'SIGKILL')
    await waitGone(w, 5_000)
  }
}

async function waitReady(ws: Worker[], ms: number) {
  const deadline = performance.now() + ms
  while (ws.some((w) => !w.stats)) {
    if (performance.now() > deadline) throw new Error(`workers not up after ${secs(ms)}: ${ws.filter((w) => !w.stats).map((w) => w.name)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

// A crash of this script must not leave workers behind.
process.on('exit', () => {
  for (const w of workers) signalGroup(w.child, 'SIGKILL')
})

// --- status --------------------------------------------------------------------------------------
async function statusCounts(): Promise<Record<string, number>> {
  const rows = await handle.db
    .select({ status: emailOutbox.status, n: sql<number>`count(*)::int` })
    .from(emailOutbox)
    .groupBy(emailOutbox.status)
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}

let fake: FakeResend | undefined
let exitCode = 0
try {
  await dbMigrate.runMigrations(handle)
  log(`database ${dbName} created and migrated`)

  // --- queue the emails --------------------------------------------------------------------------
  const enqueueStarted = performance.now()
  const email = (n: number) => {
    const token = randomBytes(32).toString('base64url')
    const link = `https://app.example.test/invitations/${token}`
    return {
      kind: 'invitation',
      to: `invitee-${n}@example.test`,
      subject: `Olivia invited you to join Organization ${n % 37}`,
      html: `<p>Olivia invited you to join <strong>Organization ${n % 37}</strong> as a member.</p><p><a href="${link}">Accept the invitation</a></p>`,
      text: `Olivia invited you to join Organization ${n % 37} as a member.\n\nAccept the invitation: ${link}\n`,
    }
  }
  const singles = BATCH > 1 ? Math.floor(EMAILS / 2) : EMAILS
  for (let i = 0; i < singles; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, singles - i) }, (_, j) => outbox.enqueueEmail(handle.db, email(i + j + 1))))
  }
  for (let i = singles; i < EMAILS; i += BATCH) {
    const size = Math.min(BATCH, EMAILS - i)
    await outbox.enqueueEmails(handle.db, Array.from({ length: size }, (_, j) => email(i + j + 1)), { asBatch: true })
  }
  log(`${EMAILS} emails queued in ${secs(performance.now() - enqueueStarted)} (${singles} alone, ${EMAILS - singles} in batches of ${BATCH})`)

  // --- the fake provider, faulty -----------------------------------------------------------------
  fake = await startFakeResend()
  const faults = mixedFaults(FAULT_RATE, { retryAfterSeconds: 1 })
  fake.setFaultRate(faults.spec)
  log(`fake Resend on ${fake.url}, ${Math.round(FAULT_RATE * 100)}% of POST /emails fail (${FAULT_KINDS.join(', ')})`)

  // --- deliver -----------------------------------------------------------------------------------
  const a = startWorker('worker-A', fake)
  const b = startWorker('worker-B', fake)
  // The clock (faults off after --faults-for) starts once both instances are up (npx tsx takes seconds).
  await waitReady([a, b], 60_000)
  const deliveryStarted = performance.now()
  const elapsed = () => performance.now() - deliveryStarted
  log(`worker-A (pid ${a.stats!.pid}) and worker-B (pid ${b.stats!.pid}) delivering`)
  // Rows the killed worker held: still 'sending' under the very claim they had at the kill, within
  // 0.3 s of that claim's lease end (a live worker has finished by then: send timeout + hand-back guard).
  const orphans = new Map<string, number>()
  let orphanWatch: Promise<void> | null = null
  async function watchOrphans() {
    const snapshot = await handle.db
      .select({ id: emailOutbox.id, attempts: emailOutbox.attempts, lockedUntil: emailOutbox.lockedUntil })
      .from(emailOutbox)
      .where(sql`${emailOutbox.status} = 'sending'`)
    if (!snapshot.length) return
    const until = performance.now() + LEASE_MS + 2_000
    while (performance.now() < until) {
      const still = await handle.db
        .select({ id: emailOutbox.id, attempts: emailOutbox.attempts, lockedUntil: emailOutbox.lockedUntil })
        .from(emailOutbox)
        .where(
          sql`${emailOutbox.status} = 'sending' and ${emailOutbox.lockedUntil} - interval '300 milliseconds' < now() and ${emailOutbox.id} in (${sql.join(
            snapshot.map((r) => sql`${r.id}::uuid`),
            sql`, `,
          )})`,
        )
      for (const r of still) {
        const before = snapshot.find((x) => x.id === r.id)!
        if (r.attempts === before.attempts && r.lockedUntil?.getTime() === before.lockedUntil?.getTime()) orphans.set(r.id, r.attempts)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  let killArmedAt: number | null = null
  let killed: { at: number; recorded: number; sendingRows: number; leasedRows: number } | null = null
  let faultsOffAt: number | null = null
  let recordedAtFaultsOff = 0
  let postsWhileFaulty = 0
  let doneAt: number | null = null
  let lastProgress = 0
  let lastStatusCheck = 0

  while (true) {
    await new Promise((r) => setTimeout(r, 100))
    const recorded = fake.emails.length
    // Killed while it has sends in flight, so it leaves claimed rows behind.
    if (!killed && recorded >= KILL_AT && killArmedAt === null) killArmedAt = elapsed()
    // Prefer a moment with two or more sends in flight (more rows orphaned); settle for one after 5 s.
    const wantInFlight = killArmedAt !== null && elapsed() - killArmedAt < 5_000 ? 2 : 1
    if (!killed && killArmedAt !== null && Number(a.stats?.inFlight) >= wantInFlight) {
      a.expectedExit = true
      signalGroup(a.child, 'SIGKILL')
      const at = elapsed()
      if (!(await waitGone(a, 5_000))) throw new Error('worker-A survived SIGKILL')
      const c = await statusCounts()
      const [{ leased }] = await handle.db
        .select({ leased: sql<number>`count(*)::int` })
        .from(emailOutbox)
        .where(sql`${emailOutbox.status} = 'sending' and ${emailOutbox.lockedUntil} > now()`)
      killed = { at, recorded, sendingRows: c.sending ?? 0, leasedRows: leased }
      orphanWatch = watchOrphans()
      log(`SIGKILL worker-A (pid group ${a.child.pid}, ${a.stats?.inFlight} sends in flight) with ${recorded} emails recorded; ${killed.sendingRows} rows in 'sending' right after; starting worker-C`)
      startWorker('worker-C', fake)
    }
    if (faultsOffAt === null && elapsed() >= FAULTS_FOR_MS) {
      fake.setFaultRate(null)
      faultsOffAt = elapsed()
      recordedAtFaultsOff = recorded
      postsWhileFaulty = fake.requests.length
      log(`faults off (${recorded} emails recorded so far)`)
    }
    if (elapsed() - lastStatusCheck >= 500) {
      lastStatusCheck = elapsed()
      const c = await statusCounts()
      const open = (c.pending ?? 0) + (c.sending ?? 0)
      if (elapsed() - lastProgress >= 5_000) {
        lastProgress = elapsed()
        log(`recorded ${recorded}/${EMAILS}, POSTs ${fake.calls}, rows ${JSON.stringify(c)}`)
      }
      if (open === 0) {
        doneAt = elapsed()
        if (faultsOffAt === null) {
          fake.setFaultRate(null)
          faultsOffAt = doneAt
          recordedAtFaultsOff = recorded
          postsWhileFaulty = fake.requests.length
        }
        log(`no row pending or sending: ${JSON.stringify(c)}`)
        break
      }
    }
    if (elapsed() > TIMEOUT_MS) {
      violations.push(`rows still pending or sending after ${secs(TIMEOUT_MS)}: ${JSON.stringify(await statusCounts())}`)
      break
    }
  }

  await orphanWatch
  for (const w of workers) await stopWorker(w)
  // Anything still in flight at the fake (a hung request) has been dropped by its worker by now.

  // --- check ---------------------------------------------------------------------------------------
  const rows = await handle.db
    .select({
      id: emailOutbox.id,
      key: emailOutbox.idempotencyKey,
      recipient: emailOutbox.recipient,
      status: emailOutbox.status,
      attempts: emailOutbox.attempts,
      providerId: emailOutbox.providerId,
      lastError: emailOutbox.lastError,
    })
    .from(emailOutbox)
  const statuses = await statusCounts()
  const notSent = rows.filter((r) => r.status !== 'sent')
  if (rows.length !== EMAILS) violations.push(`${rows.length} outbox rows, expected ${EMAILS}`)
  if (notSent.length) {
    violations.push(`${notSent.length} rows not 'sent': ${JSON.stringify(statuses)}; e.g. ${JSON.stringify(notSent.slice(0, 3))}`)
  }

  const perKey = new Map<string, number>()
  for (const e of fake.emails) perKey.set(e.idempotencyKey ?? '(none)', (perKey.get(e.idempotencyKey ?? '(none)') ?? 0) + 1)
  const twice = [...perKey].filter(([, n]) => n > 1)
  if (twice.length) violations.push(`${twice.length} idempotency keys recorded more than once, e.g. ${twice[0][0]}`)
  if (perKey.has('(none)')) violations.push(`${perKey.get('(none)')} emails recorded without an idempotency key`)
  // An email sent alone is recorded under its row's key; one of a batch under `<batch key>#<index>`:
  // rows and recorded emails are matched by recipient (one per row).
  const recorded = new Map(fake.emails.map((e) => [e.to[0], e]))
  const lost = rows.filter((r) => !recorded.has(r.recipient))
  const outboxRecipients = new Set(rows.map((r) => r.recipient))
  const unknown = fake.emails.filter((e) => !outboxRecipients.has(e.to[0]))
  if (lost.length) violations.push(`${lost.length} emails never reached the fake (lost), e.g. ${lost[0].recipient}`)
  if (unknown.length) violations.push(`${unknown.length} recorded emails match no outbox row`)
  const wrongKey = rows.filter((r) => {
    const key = recorded.get(r.recipient)?.idempotencyKey
    return key !== undefined && key !== r.key && !key?.startsWith('batch/')
  }).length
  if (wrongKey) violations.push(`${wrongKey} emails sent alone were recorded under another row's key`)
  if (fake.emails.length !== EMAILS) violations.push(`the fake recorded ${fake.emails.length} emails, expected ${EMAILS}`)

  const perRecipient = new Map<string, number>()
  for (const e of fake.emails) {
    if (e.to.length !== 1) violations.push(`an email with ${e.to.length} recipients`)
    for (const to of e.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1)
  }
  const recipientsTwice = [...perRecipient].filter(([, n]) => n > 1).length
  if (recipientsTwice) violations.push(`${recipientsTwice} recipients got more than one email`)

  // The row names the very email the provider holds for its key (a takeover did not overwrite it with another).
  const mismatched = rows.filter((r) => r.status === 'sent' && r.providerId !== recorded.get(r.recipient)?.id).length
  if (mismatched) violations.push(`${mismatched} sent rows carry a provider id that is not the recorded email's`)

  const outcomes = new Map<string, number>()
  for (const r of fake.requests) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1)
  const rejected = outcomes.get('rejected') ?? 0
  if (rejected) violations.push(`${rejected} POSTs rejected (409 payload mismatch or 422)`)
  if (!killed) violations.push(`delivery finished before ${KILL_AT} emails were recorded: no worker was killed`)

  // Each orphan was taken over (claimed again) once its lease ran out, and sent.
  const orphansNotTakenOver = [...orphans].filter(([id, a]) => {
    const row = rows.find((r) => r.id === id)
    return !row || row.status !== 'sent' || row.attempts <= a
  }).length
  if (orphansNotTakenOver) violations.push(`${orphansNotTakenOver} rows orphaned by the SIGKILL were not taken over and sent`)
  if (killed && killed.sendingRows > 0 && orphans.size === 0) violations.push('the SIGKILL left no row in flight: the takeover was not exercised')

  const attempts = rows.map((r) => r.attempts)
  const histogram = new Map<number, number>()
  for (const n of attempts) histogram.set(n, (histogram.get(n) ?? 0) + 1)
  const injected = [...outcomes].filter(([k]) => k.startsWith('fault:')).reduce((s, [, n]) => s + n, 0)

  console.log('\n=== Outbox under faults: result ===')
  const line = (label: string, value: string | number) => console.log(`${label.padEnd(44)} ${value}`)
  line('emails queued (outbox rows)', rows.length)
  line('rows by status', JSON.stringify(statuses))
  line('distinct emails recorded by the fake', `${perKey.size} (${fake.emails.length} records)`)
  line('  requests with a batch', `${fake.requests.filter((r) => r.size > 1).length} of ${fake.requests.length}`)
  line('idempotency keys recorded twice', twice.length)
  line('emails lost (queued, never recorded)', lost.length)
  line('recipients with more than one email', recipientsTwice)
  line('rows whose provider id ≠ recorded email', mismatched)
  line('POST /emails and /emails/batch in all', fake.calls)
  line('  accepted and recorded', outcomes.get('recorded') ?? 0)
  line('  duplicates absorbed by the idempotency key', outcomes.get('duplicate') ?? 0)
  line('  rejected', rejected)
  line(
    '  faults injected',
    `${injected} (${((100 * injected) / Math.max(1, fake.calls)).toFixed(1)}% of all POSTs; by kind ` +
      FAULT_KINDS.map((k) => `${k}: ${faults.counts[k]}`).join(', ') +
      ')',
  )
  line('  emails recorded by drop-after-record faults', faults.counts['drop-after-record'])
  line(
    'POSTs while the faults were on',
    `${postsWhileFaulty}, of which ${injected} faulted (${((100 * injected) / Math.max(1, postsWhileFaulty)).toFixed(1)}%)`,
  )
  line('delivery attempts (claims) in all', `${attempts.reduce((s, n) => s + n, 0)}; max per email ${Math.max(...attempts)}`)
  line('emails by attempts', [...histogram].sort(([x], [y]) => x - y).map(([k, n]) => `${k}: ${n}`).join(', '))
  line(
    'SIGKILL',
    killed
      ? `worker-A ${secs(killed.at)} into delivery with ${killed.recorded} recorded; ${killed.sendingRows} rows left in 'sending' (${killed.leasedRows} under a live lease); worker-C started`
      : 'none',
  )
  line('  rows orphaned by the kill, then taken over', `${orphans.size} (each claimed again after its lease ran out and sent: ${orphans.size - orphansNotTakenOver})`)
  for (const w of workers) {
    const s = w.stats
    line(`  ${w.name}`, s ? `${s.batches} batches, ${s.claimed} claimed, ${s.sent} sent, ${s.retried} to retry, ${s.failed} failed${w.name === 'worker-A' ? ' (until killed, last report)' : ''}` : 'no report')
  }
  line('settings', `${Math.round(FAULT_RATE * 100)}% faults, lease ${LEASE_MS} ms, send timeout ${SEND_TIMEOUT_MS} ms, claims of 20, provider batches of ${BATCH}, concurrency 4, maxAttempts ${MAX_ATTEMPTS}, real backoff`)
  line('faults on for', faultsOffAt === null ? 'the whole run' : `${secs(faultsOffAt)} (${recordedAtFaultsOff} emails recorded by then)`)
  line('all delivered after', doneAt === null ? 'did not finish' : `${secs(doneAt)} (${faultsOffAt !== null ? secs(doneAt - faultsOffAt) : '?'} after the faults stopped)`)
  line('whole run (create db → checked)', secs(since()))
  if (violations.length) {
    console.log(`\nFAILED: ${violations.length} violation(s)`)
    for (const v of violations) console.log(`  - ${v}`)
    exitCode = 1
  } else {
    console.log('\nPASSED: every email sent, each recorded once per idempotency key, none lost, none left pending.')
  }
} catch (err) {
  console.error(err)
  exitCode = 1
} finally {
  for (const w of workers) await stopWorker(w)
  await fake?.close()
  await handle.close()
  await admin(`drop database if exists ${dbName} with (force)`).catch((e) => console.error(`could not drop ${dbName}: ${e.message}`))
}
process.exit(exitCode)

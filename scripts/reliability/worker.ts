// One "app instance" of the outbox fault run (outbox-faults.ts starts two, kills one with SIGKILL
// and starts a replacement): its own pg pool on the run's database, delivering through the real
// Resend SDK transport (RESEND_BASE_URL points it at the fake) with the product's
// deliverDueEmails, in a loop, the way the app's sweep does, only without the 15 s pause.
//
// Env: DATABASE_URL, RESEND_BASE_URL, WORKER_NAME, LEASE_MS (5000), SEND_TIMEOUT_MS (2000),
// MAX_ATTEMPTS (100), BATCH (20), CONCURRENCY (4).
// Stdout: a JSON line every 200 ms, {"worker":…,"pid":…,"claimed":…,"sent":…,"retried":…,"failed":…,"inFlight":…}.
import { dbClient, outbox, transport as transports } from './product'

const name = process.env.WORKER_NAME ?? `worker-${process.pid}`
const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) throw new Error('worker: DATABASE_URL is required')
if (!process.env.RESEND_BASE_URL?.startsWith('http://127.0.0.1:')) throw new Error('worker: RESEND_BASE_URL must be a loopback fake')

const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d)
const leaseMs = num(process.env.LEASE_MS, 5_000)
const timeoutMs = num(process.env.SEND_TIMEOUT_MS, 2_000)
const maxAttempts = num(process.env.MAX_ATTEMPTS, 100)
const limit = num(process.env.BATCH, 20)
const concurrency = num(process.env.CONCURRENCY, 4)

const handle = dbClient.openDb({ databaseUrl, poolSize: 10 })
const resend = transports.createResendTransport('re_reliability_key', { timeoutMs })
const totals = { worker: name, pid: process.pid, batches: 0, claimed: 0, sent: 0, retried: 0, failed: 0, errors: 0, inFlight: 0 }
// Counts sends in flight, so the run can kill this process while it holds claimed rows.
const transport: typeof resend = {
  async send(m) {
    totals.inFlight++
    try {
      return await resend.send(m)
    } finally {
      totals.inFlight--
    }
  },
  async sendBatch(messages, key) {
    totals.inFlight++
    try {
      return await resend.sendBatch!(messages, key)
    } finally {
      totals.inFlight--
    }
  },
}
const report = () => process.stdout.write(`${JSON.stringify(totals)}\n`)

let stopping = false
process.on('SIGTERM', () => {
  stopping = true
})
process.on('SIGINT', () => {
  stopping = true
})

const timer = setInterval(report, 200)
report()

while (!stopping) {
  try {
    const r = await outbox.deliverDueEmails(handle.db, transport, {
      from: 'Invitations <invitations@example.test>',
      limit,
      leaseMs,
      maxAttempts,
      concurrency,
    })
    totals.batches++
    totals.claimed += r.claimed
    totals.sent += r.sent
    totals.retried += r.retried
    totals.failed += r.failed
    if (r.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 100))
  } catch (err) {
    totals.errors++
    process.stderr.write(`${name}: deliverDueEmails threw: ${err instanceof Error ? err.message : String(err)}\n`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

clearInterval(timer)
report()
await handle.close()

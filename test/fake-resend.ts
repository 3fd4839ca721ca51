/**
 * A fake of the Resend HTTP API (POST /emails, POST /emails/batch) on loopback, for Vitest (in process) and Playwright
 * (through its /__ endpoints, or standalone: `npx tsx test/fake-resend.ts --port 3199`).
 *
 * Control endpoints:
 *   GET    /__emails[?to=addr]  recorded emails, oldest first
 *   GET    /__requests          every POST /emails received: idempotency key and outcome
 *   DELETE /__emails            reset everything (emails, idempotency keys, faults, delay, calls)
 *   POST   /__faults            body: a FailSpec, or { failNext?: FailSpec | FailSpec[], delayMs?, faultRate? }
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { pathToFileURL } from 'node:url'
import { appendFileSync } from 'node:fs'

export interface RecordedEmail {
  id: string
  from: string
  to: string[]
  subject: string
  html: string
  text: string
  /** The request's key; for an email of a batch, the batch's key and `#` and its index in the batch. */
  idempotencyKey: string | null
  receivedAt: string
}

/** One POST /emails or /emails/batch as received, whatever became of it. */
export interface ReceivedRequest {
  /** How many emails it carried: 1 for POST /emails. */
  size: number
  idempotencyKey: string | null
  outcome: 'recorded' | 'duplicate' | 'rejected' | `fault:${string}`
}

export interface FailSpec {
  /** HTTP status for mode 'status' (default 500). */
  status?: number
  retryAfterSeconds?: number
  /** How many of the next POST /emails this applies to (default 1). */
  times?: number
  /** 'status' answers with an error, 'hang' never answers, 'drop' destroys the socket. */
  mode?: 'status' | 'hang' | 'drop'
  /** For 'drop' and 'hang': accept and record the email first (the provider got it, the answer is lost). */
  afterRecord?: boolean
  /** For 'status': a raw body instead of Resend's JSON error (e.g. a proxy's HTML page). */
  body?: string
  /** Only for emails to this address (tests running in parallel keep their own emails). */
  onlyTo?: string
}

export interface FaultRateSpec {
  /** Probability in [0, 1] that a POST /emails fails with `fault`. */
  rate: number
  fault?: Omit<FailSpec, 'times'>
}

export interface FakeResend {
  url: string
  port: number
  /** Recorded emails (one per idempotency key), oldest first. */
  emails: RecordedEmail[]
  /** Every POST /emails, faulted and duplicate ones included, oldest first. */
  requests: ReceivedRequest[]
  /** POST /emails requests received, including ones refused before reading (bad auth or JSON). */
  readonly calls: number
  failNext(spec: FailSpec): void
  setFaultRate(spec: FaultRateSpec | null): void
  setDelayMs(ms: number): void
  reset(): void
  close(): Promise<void>
}

const ERROR_NAMES: Record<number, string> = {
  400: 'validation_error',
  401: 'missing_api_key',
  403: 'invalid_api_key',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'application_error',
  409: 'invalid_idempotent_request',
  422: 'validation_error',
  429: 'rate_limit_exceeded',
  500: 'internal_server_error',
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { statusCode: status, name: ERROR_NAMES[status] ?? 'application_error', message }, headers)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const str = (v: unknown) => (typeof v === 'string' ? v : '')

export async function startFakeResend({ port = 0 }: { port?: number } = {}): Promise<FakeResend> {
  const emails: RecordedEmail[] = []
  // Idempotency key → the email it created and a fingerprint of its payload.
  const byKey = new Map<string, { ids: string[]; fingerprint: string }>()
  const requests: ReceivedRequest[] = []
  const faults: FailSpec[] = []
  let faultRate: FaultRateSpec | null = null
  let delayMs = 0
  let calls = 0
  const sockets = new Set<Socket>()

  function failNext(spec: FailSpec) {
    const times = Math.max(1, spec.times ?? 1)
    for (let i = 0; i < times; i++) faults.push({ ...spec, times: 1 })
  }

  function reset() {
    emails.length = 0
    requests.length = 0
    byKey.clear()
    faults.length = 0
    faultRate = null
    delayMs = 0
    calls = 0
  }

  function takeFault(to: unknown): FailSpec | undefined {
    const recipients = (Array.isArray(to) ? to : [to]).map(String)
    const index = faults.findIndex((f) => !f.onlyTo || recipients.includes(f.onlyTo))
    if (index >= 0) return faults.splice(index, 1)[0]
    if (faultRate && Math.random() < faultRate.rate) return faultRate.fault ?? { status: 500 }
    return undefined
  }

  type Email = Omit<RecordedEmail, 'id' | 'idempotencyKey' | 'receivedAt'>

  function validate(payload: unknown): Email | null {
    const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>
    const to = Array.isArray(p.to) ? p.to.map(String) : p.to ? [String(p.to)] : []
    if (!str(p.from) || to.length === 0 || !str(p.subject)) return null
    return { from: str(p.from), to, subject: str(p.subject), html: str(p.html), text: str(p.text) }
  }

  function record(email: Email, idempotencyKey: string | null): string {
    const id = randomUUID()
    const recorded = { id, ...email, idempotencyKey, receivedAt: new Date().toISOString() }
    emails.push(recorded)
    // The browser suite scans the server's logs for every token these emails carried.
    if (process.env.FAKE_RESEND_RECORD_FILE) appendFileSync(process.env.FAKE_RESEND_RECORD_FILE, `${JSON.stringify(recorded)}\n`)
    return id
  }

  /**
   * Records the emails of one request, all or none (or, for a known idempotency key, finds the
   * ids it was given); returns their ids or an error to answer.
   */
  function accept(
    payloads: unknown[],
    idempotencyKey: string | null,
    isBatch: boolean,
  ): { ids: string[]; isDuplicate: boolean } | { status: number; message: string } {
    const valid = payloads.map(validate)
    const invalid = valid.findIndex((e) => e === null)
    if (invalid >= 0) {
      return { status: 422, message: `${isBatch ? `Email ${invalid}: t` : 'T'}he \`from\`, \`to\` and \`subject\` fields are required.` }
    }
    const fingerprint = JSON.stringify(valid)
    if (idempotencyKey) {
      const seen = byKey.get(idempotencyKey)
      if (seen && seen.fingerprint !== fingerprint) {
        return { status: 409, message: 'Same idempotency key used with a different request payload.' }
      }
      if (seen) return { ids: seen.ids, isDuplicate: true }
    }
    const ids = (valid as Email[]).map((email, i) => record(email, isBatch && idempotencyKey ? `${idempotencyKey}#${i}` : idempotencyKey))
    if (idempotencyKey) byKey.set(idempotencyKey, { ids, fingerprint })
    return { ids, isDuplicate: false }
  }

  async function handleSend(req: IncomingMessage, res: ServerResponse, isBatch: boolean) {
    calls++
    const raw = await readBody(req)
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs))
    const auth = req.headers.authorization ?? ''
    if (!/^Bearer \S+/.test(auth)) return sendError(res, 401, 'Missing API key in the authorization header.')
    let body: unknown
    try {
      body = JSON.parse(raw)
    } catch {
      return sendError(res, 400, 'Invalid JSON body.')
    }
    if (isBatch && (!Array.isArray(body) || body.length === 0 || body.length > 100)) {
      return sendError(res, 422, 'A batch is an array of 1 to 100 emails.')
    }
    const payloads = isBatch ? (body as unknown[]) : [body]
    const keyHeader = req.headers['idempotency-key']
    const idempotencyKey = typeof keyHeader === 'string' && keyHeader ? keyHeader : null
    const size = payloads.length

    const fault = takeFault(payloads.flatMap((p) => [(p as Record<string, unknown> | null)?.to ?? []].flat()))
    const mode = fault?.mode ?? 'status'
    if (fault) requests.push({ size, idempotencyKey, outcome: `fault:${mode === 'status' ? (fault.status ?? 500) : mode}` })
    if (fault && mode !== 'status') {
      if (fault.afterRecord) accept(payloads, idempotencyKey, isBatch)
      if (mode === 'drop') req.socket.destroy()
      return // 'hang': never answer; close() destroys the socket.
    }
    if (fault) {
      const status = fault.status ?? 500
      const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}
      if (fault.body !== undefined) {
        res.writeHead(status, { 'content-type': 'text/html', ...headers })
        return res.end(fault.body)
      }
      return sendError(res, status, `Injected failure (${status}).`, headers)
    }

    const outcome = accept(payloads, idempotencyKey, isBatch)
    requests.push({ size, idempotencyKey, outcome: 'status' in outcome ? 'rejected' : outcome.isDuplicate ? 'duplicate' : 'recorded' })
    if ('status' in outcome) return sendError(res, outcome.status, outcome.message)
    sendJson(res, 200, isBatch ? { data: outcome.ids.map((id) => ({ id })) } : { id: outcome.ids[0] })
  }

  async function handleFaults(req: IncomingMessage, res: ServerResponse) {
    let body: Record<string, unknown>
    try {
      body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>
    } catch {
      return sendError(res, 400, 'Invalid JSON body.')
    }
    const isComposite = 'failNext' in body || 'delayMs' in body || 'faultRate' in body
    if (!isComposite) failNext(body as FailSpec)
    if (body.failNext) for (const spec of [body.failNext].flat() as FailSpec[]) failNext(spec)
    if (typeof body.delayMs === 'number') delayMs = body.delayMs
    if ('faultRate' in body) faultRate = (body.faultRate as FaultRateSpec | null) ?? null
    sendJson(res, 200, { queued: faults.length, delayMs, faultRate })
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const route = `${req.method} ${url.pathname}`
    const handle = async () => {
      if (route === 'POST /emails') return handleSend(req, res, false)
      if (route === 'POST /emails/batch') return handleSend(req, res, true)
      if (route === 'GET /__emails') {
        const to = url.searchParams.get('to')?.toLowerCase()
        return sendJson(res, 200, to ? emails.filter((e) => e.to.some((t) => t.toLowerCase() === to)) : emails)
      }
      if (route === 'GET /__requests') return sendJson(res, 200, requests)
      if (route === 'DELETE /__emails') {
        reset()
        return sendJson(res, 200, { ok: true })
      }
      if (route === 'POST /__faults') return handleFaults(req, res)
      sendError(res, 404, `No route for ${route}.`)
    }
    handle().catch((err) => {
      if (!res.headersSent) sendError(res, 500, err instanceof Error ? err.message : String(err))
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port

  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    emails,
    requests,
    get calls() {
      return calls
    },
    failNext,
    setFaultRate(spec) {
      faultRate = spec
    },
    setDelayMs(ms) {
      delayMs = ms
    },
    reset,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const flag = process.argv.indexOf('--port')
  const port = flag >= 0 ? Number(process.argv[flag + 1]) : Number(process.env.FAKE_RESEND_PORT ?? 3199)
  startFakeResend({ port }).then(
    (fake) => {
      console.log(`fake resend listening on ${fake.url}`)
      const stop = () => void fake.close().then(() => process.exit(0))
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    },
    (err) => {
      console.error(`fake resend could not start: ${err instanceof Error ? err.message : String(err)}`)
      process.exit(1)
    },
  )
}

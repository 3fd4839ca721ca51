// One target under load (autocannon), with the statements the server counted for it.
import autocannon from 'autocannon'
import { waitFor } from '../lib/processes'
import type { CpuSplit } from './cpu'
import { log } from './options'
import type { resetStatements } from './seed'

export interface Target {
  name: string
  kind: 'page' | 'action'
  floor: string | null
  path: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  /** A fresh body per request (actions). */
  body?: () => string
  /** Whether a response is what the target means to measure (an action's returned state). */
  isOk?: (status: number, body: string) => boolean
  before?: () => Promise<void>
  reset?: keyof typeof resetStatements
  /** How many requests the pool behind this target allows in one run. */
  capacity?: () => number
  note?: string
}

export interface Counters {
  requests: number
  inFlight: number
  inResponse: number
  afterResponse: number
  background: number
  patched: string[]
}

export async function readCounters(port: number): Promise<Counters> {
  return (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as Counters
}

export interface Accumulated {
  samples: number[]
  requests: number
  seconds: number
  errors: number
  errorDetail: Record<string, number>
  queries: number
  afterResponseQueries: number
  countedRequests: number
  /** CPU ms spent by each process during the runs (and the deliveries that follow them). */
  cpu: CpuSplit
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]
}

export async function load(appUrl: string, target: Target, amount: { durationS: number; max: number; connections: number }, acc: Accumulated | null, counterPort: number) {
  const max = Math.max(amount.connections, Math.min(amount.max, target.capacity ? target.capacity() : amount.max))
  const before = await readCounters(counterPort)
  let badBodies = 0
  const samples: number[] = []
  let finish: (err: unknown, result: autocannon.Result) => void = () => {}
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, result) => (err ? reject(err) : resolve(result))
  })
  const instance = autocannon({
    url: appUrl,
    connections: amount.connections,
    duration: amount.durationS,
    maxOverallRequests: max,
    timeout: 30,
    requests: [
      {
        method: target.method,
        path: target.path,
        headers: target.headers,
        ...(target.body ? { setupRequest: (req) => ({ ...req, body: target.body!() }) } : {}),
        ...(target.isOk
          ? {
              onResponse: (status: number, body: string) => {
                if (!target.isOk!(status, body)) {
                  badBodies++
                  if (badBodies === 1) log(`  ${target.name}: unexpected response ${status}: ${String(body).slice(0, 300)}`)
                }
              },
            }
          : {}),
      },
    ],
  }, (err, result) => finish(err, result))
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => samples.push(responseTime))
  const result = await done
  // autocannon stops at its deadline with requests still being served: wait for the server to
  // finish them, so the reset that follows cannot interleave with a late transaction.
  await waitFor('in-flight requests to finish', async () => (await readCounters(counterPort)).inFlight === 0, 60_000, 100)
  const after = await readCounters(counterPort)
  if (!acc) return
  const non2xx = result.non2xx
  acc.samples.push(...samples)
  acc.requests += result.requests.total
  acc.seconds += result.duration
  acc.errors += result.errors + result.timeouts + non2xx + badBodies
  acc.errorDetail.errors = (acc.errorDetail.errors ?? 0) + result.errors
  acc.errorDetail.timeouts = (acc.errorDetail.timeouts ?? 0) + result.timeouts
  acc.errorDetail.non2xx = (acc.errorDetail.non2xx ?? 0) + non2xx
  acc.errorDetail.unexpectedState = (acc.errorDetail.unexpectedState ?? 0) + badBodies
  acc.queries += after.inResponse - before.inResponse
  acc.afterResponseQueries += after.afterResponse - before.afterResponse
  acc.countedRequests += after.requests - before.requests
}

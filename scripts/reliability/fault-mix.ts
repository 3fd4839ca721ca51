// A fault-rate spec for test/fake-resend.ts that mixes kinds: the fake reads `fault` once per
// faulted request, so a getter picks the kind there (and counts it).
import type { FailSpec, FaultRateSpec } from '../../test/fake-resend'

export type FaultKind = '500' | '429' | 'hang' | 'drop-after-record'

export const FAULT_KINDS: readonly FaultKind[] = ['500', '429', 'hang', 'drop-after-record']

export function mixedFaults(rate: number, { retryAfterSeconds = 1 }: { retryAfterSeconds?: number } = {}) {
  const counts: Record<FaultKind, number> = { '500': 0, '429': 0, hang: 0, 'drop-after-record': 0 }
  const specs: Record<FaultKind, Omit<FailSpec, 'times'>> = {
    '500': { mode: 'status', status: 500 },
    '429': { mode: 'status', status: 429, retryAfterSeconds },
    // Never answers: the transport's timeout ends it; the fake has not recorded the email.
    hang: { mode: 'hang' },
    // The fake records the email, then destroys the socket: the provider got it, the answer is lost.
    'drop-after-record': { mode: 'drop', afterRecord: true },
  }
  const spec: FaultRateSpec = {
    rate,
    get fault() {
      const kind = FAULT_KINDS[Math.floor(Math.random() * FAULT_KINDS.length)]
      counts[kind]++
      return specs[kind]
    },
  }
  return { spec, counts }
}

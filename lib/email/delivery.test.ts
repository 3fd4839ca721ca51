import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const env = { RESEND_API_KEY: undefined as string | undefined, EMAIL_FROM: 'App <app@example.com>', isDevMailbox: true, APP_URL: 'http://localhost:3000' }
vi.mock('@/lib/env', () => ({ getEnv: () => env }))
vi.mock('@/lib/data/db', () => ({ getDb: () => ({ fake: 'db' }) }))
const deliverDueEmails = vi.fn()
vi.mock('./outbox', () => ({ deliverDueEmails: (...args: unknown[]) => deliverDueEmails(...args) }))

const { deliverSoon, getTransport, startOutboxSweep, stopOutboxSweep } = await import('./delivery')

const idle = { claimed: 0, sent: 0, retried: 0, failed: 0 }

beforeEach(() => {
  vi.useFakeTimers()
  deliverDueEmails.mockReset()
})
afterEach(() => {
  stopOutboxSweep()
  vi.useRealTimers()
})

describe('getTransport', () => {
  it('uses the dev mailbox without an API key', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const result = await getTransport().send({ from: 'a@x.y', to: 'b@x.y', subject: 'Hi', html: '', text: 'go https://x.y/1', idempotencyKey: 'k' })
    expect(result).toMatchObject({ ok: true })
    expect(log).toHaveBeenCalledWith('[dev mailbox] to b@x.y: Hi — https://x.y/1')
    log.mockRestore()
  })
})

describe('startOutboxSweep', () => {
  it('runs one interval per process and skips a tick while the last one runs', async () => {
    let finish: (() => void) | undefined
    deliverDueEmails.mockImplementation(() => new Promise((resolve) => (finish = () => resolve(idle))))
    startOutboxSweep(1_000)
    startOutboxSweep(1_000)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(deliverDueEmails).toHaveBeenCalledTimes(1)
    expect(deliverDueEmails.mock.calls[0][2]).toMatchObject({ from: env.EMAIL_FROM })
    await vi.advanceTimersByTimeAsync(3_000)
    expect(deliverDueEmails).toHaveBeenCalledTimes(1)
    finish?.()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(deliverDueEmails).toHaveBeenCalledTimes(2)
  })

  it('drains a backlog in several batches within a tick', async () => {
    deliverDueEmails.mockResolvedValueOnce({ ...idle, claimed: 20, sent: 20 }).mockResolvedValueOnce({ ...idle, claimed: 3, sent: 3 })
    startOutboxSweep(1_000)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(deliverDueEmails).toHaveBeenCalledTimes(2)
  })

  it('logs a failed tick without email content and keeps going', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    deliverDueEmails.mockRejectedValueOnce(new Error('connection refused')).mockResolvedValue(idle)
    startOutboxSweep(1_000)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(error).toHaveBeenCalledWith('[email] outbox sweep failed: connection refused')
    expect(deliverDueEmails).toHaveBeenCalledTimes(2)
    error.mockRestore()
  })
})

describe('deliverSoon', () => {
  it('delivers the given rows right away outside a request', async () => {
    deliverDueEmails.mockResolvedValue(idle)
    deliverSoon(['id-1'])
    await vi.waitFor(() => expect(deliverDueEmails).toHaveBeenCalledTimes(1))
    expect(deliverDueEmails.mock.calls[0][2]).toMatchObject({ from: env.EMAIL_FROM, onlyIds: ['id-1'] })
  })
})

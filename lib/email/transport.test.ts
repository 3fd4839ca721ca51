import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeResend, type FakeResend } from '@/test/fake-resend'
import { createDevMailboxTransport, createResendTransport, parseRetryAfter, type EmailMessage, type EmailTransport } from './transport'

let fake: FakeResend
let transport: EmailTransport
beforeAll(async () => {
  fake = await startFakeResend()
  process.env.RESEND_BASE_URL = fake.url
  transport = createResendTransport('re_test_key', { timeoutMs: 500 })
})
afterAll(async () => {
  delete process.env.RESEND_BASE_URL
  await fake.close()
})
beforeEach(() => fake.reset())

let n = 0
const message = (overrides: Partial<EmailMessage> = {}): EmailMessage => ({
  from: 'App <app@example.com>',
  to: 'ana@example.com',
  subject: 'Hello',
  html: '<p>Hi</p>',
  text: 'Hi',
  idempotencyKey: `test/${++n}`,
  ...overrides,
})

describe('createResendTransport', () => {
  it('returns the provider id and sends the idempotency key', async () => {
    const m = message()
    const result = await transport.send(m)
    expect(result).toEqual({ ok: true, providerId: fake.emails[0].id })
    expect(fake.emails[0]).toMatchObject({ to: ['ana@example.com'], subject: 'Hello', text: 'Hi', idempotencyKey: m.idempotencyKey })
  })

  it('classifies provider errors', async () => {
    const cases: Array<[Parameters<FakeResend['failNext']>[0], { retryable: boolean; retryAfterMs?: number }]> = [
      [{ status: 500 }, { retryable: true }],
      [{ status: 503, body: '<html>Bad gateway</html>' }, { retryable: true }],
      [{ status: 408 }, { retryable: true }],
      [{ status: 429, retryAfterSeconds: 30 }, { retryable: true, retryAfterMs: 30_000 }],
      [{ status: 422 }, { retryable: false }],
      [{ status: 401 }, { retryable: false }],
      [{ status: 403 }, { retryable: false }],
      [{ mode: 'drop' }, { retryable: true }],
      [{ mode: 'hang' }, { retryable: true }],
    ]
    for (const [fault, expected] of cases) {
      fake.failNext(fault)
      const result = await transport.send(message())
      expect(result, JSON.stringify(fault)).toMatchObject({ ok: false, ...expected })
      if (!result.ok) expect(result.error.length).toBeGreaterThan(0)
    }
    expect(fake.emails).toHaveLength(0)
  })

  it('treats an unreachable provider as retryable', async () => {
    const closed = await startFakeResend()
    process.env.RESEND_BASE_URL = closed.url
    const unreachable = createResendTransport('re_test_key', { timeoutMs: 500 })
    process.env.RESEND_BASE_URL = fake.url
    await closed.close()
    expect(await unreachable.send(message())).toMatchObject({ ok: false, retryable: true })
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2030-01-01T00:00:00Z')
    expect(parseRetryAfter('30', now)).toBe(30_000)
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:01:00 GMT', now)).toBe(60_000)
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })
})

describe('createDevMailboxTransport', () => {
  it('logs one line with the recipient, subject and first link, and succeeds', async () => {
    const lines: string[] = []
    const dev = createDevMailboxTransport((line) => lines.push(line))
    const result = await dev.send(message({ subject: 'Sign in to app', text: 'Open this:\nhttps://app.example.com/x?t=1\nthen https://other' }))
    expect(result.ok && result.providerId).toMatch(/^dev-[0-9a-f]+$/)
    expect(lines).toEqual(['[dev mailbox] to ana@example.com: Sign in to app — https://app.example.com/x?t=1'])
  })
})

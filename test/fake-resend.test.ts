import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeResend, type FakeResend } from './fake-resend'

let fake: FakeResend
beforeAll(async () => {
  fake = await startFakeResend()
})
afterAll(() => fake.close())
beforeEach(() => fake.reset())

const send = (body: object, headers: Record<string, string> = {}) =>
  fetch(`${fake.url}/emails`, {
    method: 'POST',
    headers: { authorization: 'Bearer re_x', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
const email = { from: 'a@example.com', to: 'b@example.com', subject: 's', html: '<p>h</p>', text: 't' }

describe('fake Resend, over HTTP as Playwright uses it', () => {
  it('records emails, lists them by recipient and resets', async () => {
    await send(email)
    await send({ ...email, to: ['c@example.com'] })
    const all = await (await fetch(`${fake.url}/__emails`)).json()
    expect(all).toHaveLength(2)
    const forC = await (await fetch(`${fake.url}/__emails?to=C@example.com`)).json()
    expect(forC).toMatchObject([{ to: ['c@example.com'], subject: 's', text: 't' }])
    await fetch(`${fake.url}/__emails`, { method: 'DELETE' })
    expect(await (await fetch(`${fake.url}/__emails`)).json()).toEqual([])
  })

  it('refuses a request without an API key', async () => {
    const res = await fetch(`${fake.url}/emails`, { method: 'POST', body: JSON.stringify(email) })
    expect(res.status).toBe(401)
    expect(fake.emails).toHaveLength(0)
  })

  it('answers a repeated idempotency key with the first id, and a changed payload with 409', async () => {
    const first = await (await send(email, { 'idempotency-key': 'k' })).json()
    const again = await (await send(email, { 'idempotency-key': 'k' })).json()
    expect(again.id).toBe(first.id)
    expect((await send({ ...email, subject: 'other' }, { 'idempotency-key': 'k' })).status).toBe(409)
    expect(fake.emails).toHaveLength(1)
  })

  it('takes faults over HTTP', async () => {
    const res = await fetch(`${fake.url}/__faults`, { method: 'POST', body: JSON.stringify({ status: 429, retryAfterSeconds: 7, times: 2 }) })
    expect(res.ok).toBe(true)
    for (let i = 0; i < 2; i++) {
      const failed = await send(email)
      expect(failed.status).toBe(429)
      expect(failed.headers.get('retry-after')).toBe('7')
    }
    expect((await send(email)).status).toBe(200)
    expect(fake.emails).toHaveLength(1)
    expect(fake.calls).toBe(3)
  })
})

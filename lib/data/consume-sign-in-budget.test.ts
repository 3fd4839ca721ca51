import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDb, type TestDb } from '@/test/db'
import { clientIp } from '@/lib/request'
import { consumeSignInBudget } from './consume-sign-in-budget'
import { SIGN_IN_LIMITS } from './rate-limits'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => {
  await t.cleanup()
})

const MINUTE = 60_000
let window = 0
/** A fresh 15-minute window per test, so the global counter starts at zero. */
function freshWindow() {
  window += 1
  const start = Date.UTC(2031, 0, 1) + window * 15 * MINUTE
  return (ms = 0) => new Date(start + ms)
}

describe('consumeSignInBudget', () => {
  it('counts every request behind one proxy against the proxy-added entry, whatever hops the client wrote before it', async () => {
    const at = freshWindow()
    const results = []
    for (let i = 0; i < SIGN_IN_LIMITS.perIp.limit + 1; i++) {
      const headers = new Headers({ 'x-forwarded-for': `10.0.${i}.1, 172.16.${i}.9, 203.0.113.7` })
      results.push(await consumeSignInBudget(t.db, { email: `ip-${i}@example.com`, ip: clientIp(headers, 1), now: at() }))
    }
    expect(results.slice(0, -1).every((r) => r.allowed)).toBe(true)
    expect(results.at(-1)).toEqual({ allowed: false, limit: 'ip', retryAfterMs: 15 * MINUTE })
  })

  it('caps sign-in emails for all addresses and client addresses together, with the time until the window resets', async () => {
    const at = freshWindow()
    for (let i = 0; i < 3; i++) {
      expect(await consumeSignInBudget(t.db, { email: `many-${i}@example.com`, ip: `198.51.100.${i}`, globalLimit: 3, now: at() })).toEqual({ allowed: true })
    }
    const refused = await consumeSignInBudget(t.db, { email: 'many-3@example.com', ip: '198.51.100.3', globalLimit: 3, now: at(5 * MINUTE) })
    expect(refused).toEqual({ allowed: false, limit: 'global', retryAfterMs: 10 * MINUTE })
  })

  it('does not spend the global budget on requests refused for their address', async () => {
    const at = freshWindow()
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail.limit + 5; i++) {
      await consumeSignInBudget(t.db, { email: 'hammered@example.com', ip: `192.0.2.${i}`, globalLimit: SIGN_IN_LIMITS.perEmail.limit + 1, now: at() })
    }
    expect(await consumeSignInBudget(t.db, { email: 'someone-else@example.com', ip: '192.0.2.200', globalLimit: SIGN_IN_LIMITS.perEmail.limit + 1, now: at() })).toEqual({ allowed: true })
  })

  it('without a known client address, applies the address and global limits only', async () => {
    const at = freshWindow()
    const results = []
    for (let i = 0; i < SIGN_IN_LIMITS.perIp.limit + 1; i++) results.push(await consumeSignInBudget(t.db, { email: `noip-${i}@example.com`, ip: null, now: at() }))
    expect(results.every((r) => r.allowed)).toBe(true)
  })
})

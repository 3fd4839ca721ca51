import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { rateLimits } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { consumeRateLimit, pruneRateLimits, rateLimitKey, SIGN_IN_LIMITS } from './rate-limits'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => {
  await t.cleanup()
})

const MINUTE = 60_000
// A window boundary for windowMs = 15 min, so the tests know exactly where the window ends.
const windowStart = new Date(Date.UTC(2030, 0, 1, 12, 0, 0))
const at = (ms: number) => new Date(windowStart.getTime() + ms)

describe('consumeRateLimit', () => {
  it('allows up to the limit, then refuses with the time left in the window', async () => {
    const opts = { key: 'test:up-to-limit', limit: 3, windowMs: 15 * MINUTE }
    const results = []
    for (let i = 0; i < 3; i++) results.push(await consumeRateLimit(t.db, { ...opts, now: at(i * MINUTE) }))
    expect(results.map((r) => [r.allowed, r.remaining, r.retryAfterMs])).toEqual([
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
    ])
    const refused = await consumeRateLimit(t.db, { ...opts, now: at(5 * MINUTE) })
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 10 * MINUTE })
  })

  it('counts keys independently', async () => {
    const opts = { limit: 1, windowMs: 15 * MINUTE, now: at(0) }
    expect((await consumeRateLimit(t.db, { ...opts, key: 'test:a' })).allowed).toBe(true)
    expect((await consumeRateLimit(t.db, { ...opts, key: 'test:a' })).allowed).toBe(false)
    expect((await consumeRateLimit(t.db, { ...opts, key: 'test:b' })).allowed).toBe(true)
  })

  it('starts over in a new window', async () => {
    const opts = { key: 'test:new-window', limit: 1, windowMs: 15 * MINUTE }
    expect((await consumeRateLimit(t.db, { ...opts, now: at(14 * MINUTE) })).allowed).toBe(true)
    expect((await consumeRateLimit(t.db, { ...opts, now: at(14 * MINUTE + 59_000) })).allowed).toBe(false)
    const next = await consumeRateLimit(t.db, { ...opts, now: at(15 * MINUTE) })
    expect(next).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 })
  })

  it('admits exactly the limit out of 30 concurrent requests', async () => {
    const key = 'test:concurrent'
    const results = await Promise.all(
      Array.from({ length: 30 }, () => consumeRateLimit(t.db, { key, limit: 5, windowMs: 15 * MINUTE, now: at(0) })),
    )
    expect(results.filter((r) => r.allowed)).toHaveLength(5)
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterMs === 15 * MINUTE)).toBe(true)
    const [row] = await t.db.select({ count: rateLimits.count }).from(rateLimits).where(eq(rateLimits.key, key))
    expect(row.count).toBe(30)
  })

  it('has the sign-in limits of the design', () => {
    expect(SIGN_IN_LIMITS.perEmail).toEqual({ limit: 5, windowMs: 15 * MINUTE })
    expect(SIGN_IN_LIMITS.perIp).toEqual({ limit: 20, windowMs: 15 * MINUTE })
  })
})

describe('rateLimitKey', () => {
  it('is stable across case and spacing and does not contain the subject', () => {
    const key = rateLimitKey('sign-in:email', ' Ana@Example.com ')
    expect(key).toBe(rateLimitKey('sign-in:email', 'ana@example.com'))
    expect(key.startsWith('sign-in:email:')).toBe(true)
    expect(key).not.toContain('example')
  })
})

describe('pruneRateLimits', () => {
  it('deletes only windows that started before the cutoff', async () => {
    const opts = { key: 'test:prune', limit: 10, windowMs: 15 * MINUTE }
    await consumeRateLimit(t.db, { ...opts, now: at(-60 * MINUTE) })
    await consumeRateLimit(t.db, { ...opts, now: at(0) })
    const deleted = await pruneRateLimits(t.db, at(-30 * MINUTE))
    expect(deleted).toBeGreaterThanOrEqual(1)
    const left = await t.db.select({ windowStart: rateLimits.windowStart }).from(rateLimits).where(eq(rateLimits.key, 'test:prune'))
    expect(left.map((r) => r.windowStart.getTime())).toEqual([windowStart.getTime()])
  })
})

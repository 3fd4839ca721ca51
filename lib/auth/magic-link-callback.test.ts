// The Auth.js magic-link callback as the app composes it (the real route handler, the real
// adapter): issue 15, items 1 and 4, and session tokens stored as their hash.
import { createHash, randomBytes } from 'node:crypto'
import { register } from 'node:module'
import { eq } from 'drizzle-orm'
import { NextRequest } from 'next/server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { DbHandle } from '@/db/client'
import { sessions, verificationTokens } from '@/db/schema'
import { getSessionUser } from '@/lib/data/viewer'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'

vi.mock('next/headers', () => ({ cookies: async () => undefined }))

// next-auth imports `next/server` and friends without the `.js` Node's resolver needs (see
// session-cookie.test.ts): https://github.com/nextauthjs/next-auth/issues/12280
register(
  `data:text/javascript,${encodeURIComponent(
    'export function resolve(s, c, next) { return next(/^next\\/[a-z-]+$/.test(s) ? s + ".js" : s, c) }',
  )}`,
)

const SECRET = 'magic-link-callback-test-secret-0123456789'
const APP_URL = 'http://localhost:3000'
const COOKIE = 'authjs.session-token'

let t: TestDb
let GET: (request: NextRequest) => Promise<Response>
const saved = { env: { ...process.env }, db: undefined as DbHandle | undefined }
const globalForDb = globalThis as unknown as { __appDb?: DbHandle }

beforeAll(async () => {
  t = await createTestDb()
  saved.db = globalForDb.__appDb
  globalForDb.__appDb = t.handle
  vi.resetModules()
  process.env = { ...saved.env, APP_URL, AUTH_SECRET: SECRET, RESEND_API_KEY: '' }
  delete process.env.AUTH_URL
  GET = (await import('@/app/api/auth/[...nextauth]/route')).GET
})
afterAll(async () => {
  process.env = saved.env
  globalForDb.__appDb = saved.db
  await t.cleanup()
})

/** A user with an unused magic link, as the sign-in email would carry it. */
async function magicLink(callbackUrl = `${APP_URL}/dashboard`) {
  const user = await createUser(t.db)
  const token = randomBytes(32).toString('hex')
  // Auth.js stores the emailed token as SHA-256(token + secret).
  await t.db.insert(verificationTokens).values({
    identifier: user.email,
    token: createHash('sha256').update(`${token}${SECRET}`).digest('hex'),
    expires: new Date(Date.now() + 10 * 60_000),
  })
  const url = new URL('/api/auth/callback/email', APP_URL)
  url.searchParams.set('callbackUrl', callbackUrl)
  url.searchParams.set('token', token)
  url.searchParams.set('email', user.email)
  return { user, url }
}

const sessionCookieValue = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0].split('='))
    .find(([name]) => name === COOKIE)?.[1]

const sessionRowsOf = (userId: string) => t.db.select({ sessionToken: sessions.sessionToken }).from(sessions).where(eq(sessions.userId, userId))

describe('the magic-link callback', () => {
  it.each(['cross-site', 'same-site'])('refuses a request another site sent (Sec-Fetch-Site: %s): no session, and the link still works', async (site) => {
    const { user, url } = await magicLink()

    const refused = await GET(new NextRequest(url, { headers: { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' } }))

    expect(refused.status).toBe(303)
    expect(refused.headers.get('location')).toBe(`${APP_URL}/login/error?error=CrossSite`)
    expect(sessionCookieValue(refused)).toBeUndefined()
    expect(await sessionRowsOf(user.id)).toEqual([])

    const fromConfirmPage = await GET(new NextRequest(url, { headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' } }))
    expect(fromConfirmPage.status).toBe(302)
    expect(sessionCookieValue(fromConfirmPage)).toBeDefined()
  })

  it.each(['none', 'same-origin'])('signs in when the browser says Sec-Fetch-Site: %s', async (site) => {
    const { url } = await magicLink()
    const res = await GET(new NextRequest(url, { headers: { 'sec-fetch-site': site } }))
    expect(res.status).toBe(302)
    expect(sessionCookieValue(res)).toBeDefined()
  })

  it.each(['/.//evil.example', '/a/..//evil.example', '/%2e//evil.example', '//evil.example', '/\\evil.example'])(
    'redirects an edited callbackUrl %s to the Dashboard of this origin',
    async (path) => {
      const { url } = await magicLink(`${APP_URL}${path}`)
      const res = await GET(new NextRequest(url))
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toBe(`${APP_URL}/dashboard`)
    },
  )

  it('stores only the SHA-256 of the session cookie, and the cookie still authenticates (Auth.js and the app’s own reader)', async () => {
    const { user, url } = await magicLink()
    const res = await GET(new NextRequest(url))
    const cookie = sessionCookieValue(res)!

    const rows = await sessionRowsOf(user.id)
    expect(rows).toEqual([{ sessionToken: createHash('sha256').update(cookie).digest('base64url') }])
    expect(rows[0].sessionToken).not.toBe(cookie)

    expect(await getSessionUser(t.db, { token: cookie })).toMatchObject({ id: user.id, email: user.email })
    expect(await getSessionUser(t.db, { token: rows[0].sessionToken })).toBeNull()
    const session = await GET(new NextRequest(new URL('/api/auth/session', APP_URL), { headers: { cookie: `${COOKIE}=${cookie}` } }))
    expect(await session.json()).toMatchObject({ user: { id: user.id, email: user.email } })
    const stolen = await GET(new NextRequest(new URL('/api/auth/session', APP_URL), { headers: { cookie: `${COOKIE}=${rows[0].sessionToken}` } }))
    expect(await stolen.json()).toBeNull()
  })
})

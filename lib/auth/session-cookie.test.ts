// Issue "reliability and security", item 8: session cookies are HttpOnly, Secure and SameSite=Lax
// behind HTTPS. The browser suite runs on http, so the Secure half is proven here, on both paths that
// set a session cookie: Auth.js's magic-link callback (the real route handler) and startSession()
// ("Continue as" after an invitation), each with APP_URL on https and on http. The app itself is
// reached over plain http in both cases, as behind a TLS-terminating proxy: APP_URL decides.
import { createHash, randomBytes } from 'node:crypto'
import { register } from 'node:module'
import { NextRequest } from 'next/server'
import { ResponseCookies } from 'next/dist/server/web/spec-extension/cookies'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DbHandle } from '@/db/client'
import { verificationTokens } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'

// startSession() writes through next/headers' cookies(); outside a request, the same ResponseCookies
// that Next's server-action cookie store serializes with stands in for it.
const jar = vi.hoisted(() => ({ current: undefined as ResponseCookies | undefined }))
vi.mock('next/headers', () => ({ cookies: async () => jar.current }))

// next-auth imports `next/server`, `next/headers` and `next/navigation` without the `.js` that Node's
// resolver needs (next has no exports map), and Vitest leaves node_modules to Node: add it here.
// https://github.com/nextauthjs/next-auth/issues/12280
register(
  `data:text/javascript,${encodeURIComponent(
    'export function resolve(s, c, next) { return next(/^next\\/[a-z-]+$/.test(s) ? s + ".js" : s, c) }',
  )}`,
)

const SECRET = 'session-cookie-test-secret-0123456789abcdef'
const INTERNAL_ORIGIN = 'http://10.0.0.5:3000'

interface SetCookie {
  name: string
  value: string
  attributes: Map<string, string>
}

/** One Set-Cookie header: name, value and attributes (names lower-cased, `true` for flags). */
function parseSetCookie(header: string): SetCookie {
  const [pair, ...attrs] = header.split(';').map((part) => part.trim())
  const eq = pair.indexOf('=')
  return {
    name: pair.slice(0, eq),
    value: pair.slice(eq + 1),
    attributes: new Map(
      attrs.map((a) => {
        const i = a.indexOf('=')
        return i === -1 ? [a.toLowerCase(), 'true'] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)]
      }),
    ),
  }
}

function sessionCookieOf(setCookies: string[]): SetCookie {
  const found = setCookies.map(parseSetCookie).filter((c) => c.name.endsWith('authjs.session-token'))
  expect(found, `one session cookie among: ${setCookies.join(' | ')}`).toHaveLength(1)
  return found[0]
}

/** The session cookie both paths must set for this APP_URL scheme. */
function expectSessionCookie(cookie: SetCookie, scheme: 'https' | 'http') {
  const secure = scheme === 'https'
  expect(cookie.name).toBe(secure ? '__Secure-authjs.session-token' : 'authjs.session-token')
  expect(cookie.value).toMatch(/^[\w-]{32,}$/)
  expect(cookie.attributes.get('httponly')).toBe('true')
  expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('lax')
  expect(cookie.attributes.get('path')).toBe('/')
  expect(cookie.attributes.has('secure')).toBe(secure)
  expect(cookie.attributes.has('domain')).toBe(false)
  expect(cookie.attributes.has('expires')).toBe(true)
}

let t: TestDb
const saved = { env: { ...process.env }, db: undefined as DbHandle | undefined }
const globalForDb = globalThis as unknown as { __appDb?: DbHandle }

beforeAll(async () => {
  t = await createTestDb()
  saved.db = globalForDb.__appDb
  globalForDb.__appDb = t.handle
})
afterAll(async () => {
  process.env = saved.env
  globalForDb.__appDb = saved.db
  await t.cleanup()
})

/** The real route handler and startSession(), loaded fresh for this APP_URL (getEnv() caches). */
async function loadApp(appUrl: string) {
  vi.resetModules()
  process.env = { ...saved.env, APP_URL: appUrl, AUTH_SECRET: SECRET, RESEND_API_KEY: '' }
  delete process.env.AUTH_URL
  const route = await import('@/app/api/auth/[...nextauth]/route')
  const { startSession } = await import('./start-session')
  return { GET: route.GET, startSession }
}

describe.each([
  ['https', 'https://app.example.com'],
  ['http', 'http://localhost:3000'],
] as const)('session cookie with APP_URL on %s', (scheme, appUrl) => {
  let app: Awaited<ReturnType<typeof loadApp>>
  beforeEach(async () => {
    app = await loadApp(appUrl)
  })

  it('from the Auth.js magic-link callback', async () => {
    const user = await createUser(t.db)
    const token = randomBytes(32).toString('hex')
    // Auth.js stores the emailed token as SHA-256(token + secret).
    await t.db.insert(verificationTokens).values({
      identifier: user.email,
      token: createHash('sha256').update(`${token}${SECRET}`).digest('hex'),
      expires: new Date(Date.now() + 10 * 60_000),
    })
    const url = new URL('/api/auth/callback/email', INTERNAL_ORIGIN)
    url.searchParams.set('callbackUrl', `${appUrl}/dashboard`)
    url.searchParams.set('token', token)
    url.searchParams.set('email', user.email)

    const res = await app.GET(new NextRequest(url))

    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`${appUrl}/dashboard`)
    expectSessionCookie(sessionCookieOf(res.headers.getSetCookie()), scheme)
  })

  it('from startSession ("Continue as"), under the name Auth.js reads back', async () => {
    const user = await createUser(t.db)
    const headers = new Headers()
    jar.current = new ResponseCookies(headers)

    await app.startSession(user.id)

    const cookie = sessionCookieOf(headers.getSetCookie())
    expectSessionCookie(cookie, scheme)
    const res = await app.GET(new NextRequest(new URL('/api/auth/session', INTERNAL_ORIGIN), { headers: { cookie: `${cookie.name}=${cookie.value}` } }))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ user: { id: user.id, email: user.email } })
  })
})

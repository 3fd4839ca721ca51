import 'server-only'
import { randomBytes } from 'node:crypto'
import { cookies } from 'next/headers'
import { getDb } from '@/lib/data/db'
import { sessions } from '@/db/schema'
import { hashSessionToken } from '@/lib/data/session-token'
import { SESSION_MAX_AGE_MS } from '@/lib/data/viewer'
import { sessionCookie } from './session-cookie'

/**
 * Signs a user in without an email round trip, for a newcomer whose invitation
 * token already proved the mailbox: a database session row and the same cookie
 * Auth.js sets (the __Secure- name and Secure flag behind HTTPS).
 */
export async function startSession(userId: string): Promise<void> {
  const { name, isSecure } = sessionCookie()
  const sessionToken = randomBytes(32).toString('base64url')
  const expires = new Date(Date.now() + SESSION_MAX_AGE_MS)
  await getDb().insert(sessions).values({ sessionToken: hashSessionToken(sessionToken), userId, expires })
  const jar = await cookies()
  jar.set(name, sessionToken, {
    httpOnly: true,
    sameSite: 'lax',
    secure: isSecure,
    path: '/',
    expires,
  })
}

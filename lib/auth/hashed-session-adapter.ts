import 'server-only'
import type { Adapter, AdapterSession } from 'next-auth/adapters'
import { hashSessionToken } from '@/lib/data/session-token'

/**
 * The Drizzle adapter with every session method going through hashSessionToken: Auth.js
 * hands over and expects back the cookie's value, the table holds only its hash.
 */
export function withHashedSessions(adapter: Adapter): Adapter {
  const { createSession, getSessionAndUser, updateSession, deleteSession } = adapter
  if (!createSession || !getSessionAndUser || !updateSession || !deleteSession) {
    throw new Error('withHashedSessions needs an adapter with database sessions')
  }
  return {
    ...adapter,
    async createSession(session) {
      const created = await createSession({ ...session, sessionToken: hashSessionToken(session.sessionToken) })
      return { ...created, sessionToken: session.sessionToken }
    },
    async getSessionAndUser(sessionToken) {
      const found = await getSessionAndUser(hashSessionToken(sessionToken))
      return found && { ...found, session: { ...found.session, sessionToken } }
    },
    async updateSession(session) {
      const updated = await updateSession({ ...session, sessionToken: hashSessionToken(session.sessionToken) })
      return updated && { ...updated, sessionToken: session.sessionToken }
    },
    async deleteSession(sessionToken): Promise<AdapterSession | null | undefined> {
      const deleted = await deleteSession(hashSessionToken(sessionToken))
      return deleted ? { ...deleted, sessionToken } : null
    },
  }
}

import 'server-only'
import { and, eq, gt } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { sessions, users } from '@/db/schema'
import { type OpenInvitation, openInvitationsSelection, readOpenInvitations } from './invitations/list-open-invitations'
import { hashSessionToken } from './session-token'
import { notificationsSelection, readNotifications, type NotificationRow } from './notifications'

/** How long a session lives, and how often its expiry moves forward (Auth.js's maxAge and updateAge). */
export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000
export const SESSION_UPDATE_AGE_MS = 24 * 60 * 60 * 1000

/** How many open invitations and notifications the header's bell lists. */
export const BELL_LIMIT = 20

export interface SessionUser {
  id: string
  email: string
  name: string | null
}

/** The signed-in user and what the header shows them: open invitations (the bell) and updates. */
export interface Viewer {
  user: SessionUser
  open: { items: OpenInvitation[]; total: number }
  updates: { items: NotificationRow[]; unread: number }
}

const isPlausibleToken = (token: string) => token.length > 0 && token.length <= 200

/**
 * Moves an active session's expiry forward at most once a day, as Auth.js does for database
 * sessions: one more statement on the first request of the day, none on the others.
 */
async function touchSession(db: Db, tokenHash: string, expires: Date, now: Date) {
  if (expires.getTime() - SESSION_MAX_AGE_MS + SESSION_UPDATE_AGE_MS > now.getTime()) return
  await db
    .update(sessions)
    .set({ expires: new Date(now.getTime() + SESSION_MAX_AGE_MS) })
    .where(and(eq(sessions.sessionToken, tokenHash), gt(sessions.expires, now)))
}

const sessionUserFields = { id: users.id, email: users.email, name: users.name, expires: sessions.expires }

/** The user of an unexpired session, or null: one query on the sessions primary key. */
export async function getSessionUser(db: Db, { token, now = new Date() }: { token: string; now?: Date }): Promise<SessionUser | null> {
  if (!isPlausibleToken(token)) return null
  const tokenHash = hashSessionToken(token)
  const [row] = await db
    .select(sessionUserFields)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.sessionToken, tokenHash), gt(sessions.expires, now)))
  if (!row) return null
  await touchSession(db, tokenHash, row.expires, now)
  return { id: row.id, email: row.email, name: row.name }
}

/**
 * The session's user and what the page header shows them, in one query: the session by its
 * primary key, the user's open invitations with their count, and the newest notifications with
 * the unread count. Null when the session is unknown or expired.
 */
export async function getViewer(db: Db, { token, now = new Date() }: { token: string; now?: Date }): Promise<Viewer | null> {
  if (!isPlausibleToken(token)) return null
  const tokenHash = hashSessionToken(token)
  const [row] = await db
    .select({ ...sessionUserFields, ...openInvitationsSelection(now, BELL_LIMIT), ...notificationsSelection(BELL_LIMIT) })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.sessionToken, tokenHash), gt(sessions.expires, now)))
  if (!row) return null
  await touchSession(db, tokenHash, row.expires, now)
  return { user: { id: row.id, email: row.email, name: row.name }, open: readOpenInvitations(row), updates: readNotifications(row) }
}

import 'server-only'
import { createHash } from 'node:crypto'

/**
 * What the sessions table stores for a session cookie: its SHA-256, so a read of the table
 * (a backup, a replica, an injection) yields no session anyone can use. The cookie holds a
 * random value of 122 bits or more, so an unsalted hash cannot be reversed by guessing.
 */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

import 'server-only'
import { eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { invitations } from '@/db/schema'
import { normalizeEmail } from '@/lib/validations/common'
import { NOT_FOUND_INVITATION, SEAT_LIMIT_MESSAGE } from './shared'

type RespondError = 'not_found' | 'expired' | 'revoked' | 'already_answered' | 'not_allowed' | 'already_member' | 'seat_limit'
export type RespondFailure = { ok: false; error: RespondError; message: string }

export const RESPOND_NOT_FOUND: RespondFailure = { ok: false, error: 'not_found', message: NOT_FOUND_INVITATION }
export const NO_FREE_SEAT: RespondFailure = { ok: false, error: 'seat_limit', message: SEAT_LIMIT_MESSAGE }
export const ALREADY_MEMBER: RespondFailure = { ok: false, error: 'already_member', message: 'You are already a member of this organization.' }
export const NOT_ALLOWED: RespondFailure = {
  ok: false,
  error: 'not_allowed',
  message: 'The person who invited you can no longer grant this access. Ask them to invite you again.',
}

/** Why a conditional update on an invitation in this state did not apply, as the invitee may learn it. */
export function respondFailure(row: { status: string; email: string; expiresAt: Date } | null, email: string, now: Date): RespondFailure {
  if (!row || normalizeEmail(row.email) !== email) return RESPOND_NOT_FOUND
  switch (row.status) {
    case 'accepted':
      return { ok: false, error: 'already_answered', message: 'You have already accepted this invitation.' }
    case 'declined':
      return { ok: false, error: 'already_answered', message: 'You have already declined this invitation.' }
    case 'revoked':
      return { ok: false, error: 'revoked', message: 'This invitation was revoked. Ask for a new one if you still need access.' }
    case 'expired':
      return { ok: false, error: 'expired', message: 'This invitation has expired. Ask the person who invited you to send it again.' }
    default:
      if (row.expiresAt <= now) {
        return { ok: false, error: 'expired', message: 'This invitation has expired. Ask the person who invited you to send it again.' }
      }
      return { ok: false, error: 'already_answered', message: 'This invitation was answered at the same time elsewhere. Reload to see where it stands.' }
  }
}

/** Why a conditional update on an invitation did not apply, read afresh. */
export async function whyNotRespondable(tx: Db, invitationId: string, email: string, now: Date): Promise<RespondFailure> {
  const [row] = await tx
    .select({ status: invitations.status, email: invitations.email, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(eq(invitations.id, invitationId))
  return respondFailure(row ?? null, email, now)
}

import 'server-only'
import { cache } from 'react'
import { getDb } from '@/db/client'
import { listOpenInvitationsForUser } from '@/lib/data/invitations'

/** The signed-in user's open invitations, read once per request for the bell and the Dashboard. */
export const getOpenInvitations = cache((userId: string) => listOpenInvitationsForUser(getDb(), { userId }))

export function inviterLabel(inviter: { name: string | null; email: string } | null): string {
  if (!inviter) return 'A former member'
  return inviter.name ? `${inviter.name} (${inviter.email})` : inviter.email
}

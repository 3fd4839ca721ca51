'use server'

import { redirect } from 'next/navigation'
import { z } from 'zod'
import { getDb } from '@/db/client'
import { signOut } from '@/lib/auth'
import { getActionUser } from '@/lib/auth/session'
import { startSession } from '@/lib/auth/start-session'
import { authAction } from '@/lib/actions/auth-action'
import { fail, ok, type ActionState } from '@/lib/actions/state'
import { acceptInvitation } from '@/lib/data/invitations/accept-invitation'
import { claimInvitationForNewUser } from '@/lib/data/invitations/claim-invitation-for-new-user'
import { declineInvitation } from '@/lib/data/invitations/decline-invitation'
import { isWellFormedToken, respondSchema } from '@/lib/validations/invitation'

const respondWithRedirect = respondSchema.extend({ then: z.enum(['stay', 'org']).optional() })

/** Only the signed-in user whose address was invited may accept; the data layer checks it in the transaction. */
export const acceptInvitationAction = authAction(respondWithRedirect, async ({ invitationId, then }, { user }) => {
  const result = await acceptInvitation(getDb(), { invitationId, userId: user.id })
  if (!result.ok) return fail(result.message)
  // The caller refreshes the page after a success (useAnnouncedAction); "then: org" goes there.
  if (then === 'org') redirect(`/orgs/${result.organization.slug}`)
  return ok(`You joined ${result.organization.name}.`)
})

export const declineInvitationAction = authAction(respondWithRedirect, async ({ invitationId }, { user }) => {
  const result = await declineInvitation(getDb(), { invitationId, userId: user.id })
  if (!result.ok) return fail(result.message)
  return ok('Invitation declined.')
})

/**
 * "Continue as <invited address>": nobody is signed in and no account exists for
 * the address; the token in the form proves the mailbox, so the account is made
 * and signed in without a second email. Refused when an account exists.
 */
export async function continueAsInvitedAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const token = formData.get('token')
  if (typeof token !== 'string' || !isWellFormedToken(token)) return fail('This invitation link is not valid.')
  if (await getActionUser()) return fail('You are already signed in.')
  const claimed = await claimInvitationForNewUser(getDb(), token)
  if (!claimed.ok) {
    return fail(claimed.error === 'account_exists' ? 'An account already exists for this address: sign in to answer the invitation.' : 'This invitation can no longer be used.')
  }
  await startSession(claimed.userId)
  redirect(`/invitations/${token}`)
}

/** "Sign out and continue": ends the current session and comes back to the invitation. */
export async function switchAccountAction(formData: FormData): Promise<void> {
  const token = formData.get('token')
  const back = typeof token === 'string' && isWellFormedToken(token) ? `/invitations/${token}` : '/login'
  if (await getActionUser()) await signOut({ redirectTo: back })
  redirect(back)
}

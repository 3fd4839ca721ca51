'use server'

import { redirect } from 'next/navigation'
import { getDb } from '@/lib/data/db'
import { signOut } from '@/lib/auth'
import { getActionUser } from '@/lib/auth/session'
import { startSession } from '@/lib/auth/start-session'
import { authAction } from '@/lib/actions/auth-action'
import { fail, ok, type ActionState } from '@/lib/actions/state'
import { acceptInvitation } from '@/lib/data/invitations/accept-invitation'
import { claimInvitationForNewUser } from '@/lib/data/invitations/claim-invitation-for-new-user'
import { declineInvitation } from '@/lib/data/invitations/decline-invitation'
import { isWellFormedToken, respondSchema } from '@/lib/validations/invitation'

/**
 * Only the signed-in user whose address was invited may accept; the data layer checks it in the
 * transaction. The caller refreshes the page after a success (useAnnouncedAction), header and bell
 * included; from the emailed link it goes to the organization (`data.slug`) and announces the
 * join there: a redirect from here would keep the header of the link page, bell and all (issue 14).
 */
export const acceptInvitationAction = authAction(respondSchema, async ({ invitationId }, { user }) => {
  const result = await acceptInvitation(getDb(), { invitationId, userId: user.id })
  if (!result.ok) return fail(result.message)
  return ok(`You joined ${result.organization.name}.`, { slug: result.organization.slug })
})

export const declineInvitationAction = authAction(respondSchema, async ({ invitationId }, { user }) => {
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

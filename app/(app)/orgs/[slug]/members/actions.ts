'use server'

import { revalidatePath } from 'next/cache'
import { redirect } from 'next/navigation'
import { getDb } from '@/lib/data/db'
import { orgAction } from '@/lib/actions/org-action'
import { fail, ok } from '@/lib/actions/state'
import { createInvitations, type InviteOutcome } from '@/lib/data/invitations/create-invitations'
import { getPreviousAccess } from '@/lib/data/invitations/get-previous-access'
import { resendInvitation } from '@/lib/data/invitations/resend-invitation'
import { revokeInvitation } from '@/lib/data/invitations/revoke-invitation'
import { updateInvitation } from '@/lib/data/invitations/update-invitation'
import { setSeatLimit } from '@/lib/data/organizations'
import { previousAccessSchema, updateInvitationSchema } from '@/lib/validations/invitation-edit'
import { deliverSoon } from '@/lib/email/delivery'
import { getEnv } from '@/lib/env'
import { invitationIdSchema, inviteSchema } from '@/lib/validations/invitation'
import { leaveOrganizationSchema, memberAccessSchema, memberTargetSchema, seatLimitSchema } from '@/lib/validations/member'
import { leaveOrganization } from '@/lib/data/members/leave-organization'
import { makeOwner } from '@/lib/data/members/make-owner'
import { removeMember } from '@/lib/data/members/remove-member'
import { updateMemberAccess } from '@/lib/data/members/update-member-access'

// These actions answer with their result only; the client refreshes the page after a success
// (useAnnouncedAction, and the forms on this tab), so an action's answer never carries a re-render
// of the whole tab. Leaving redirects, which renders the Dashboard afresh.

export interface InviteResultRow {
  email: string
  outcome: InviteOutcome
  /** The member's address a lookalike one reads as (only for callers who may see members). */
  lookalikeOf?: string
}

const outcomeCount = (rows: InviteResultRow[], outcome: InviteOutcome) => rows.filter((r) => r.outcome === outcome).length

export const inviteMembersAction = orgAction(inviteSchema, 'members:invite', async (input, { org, user }) => {
  const env = getEnv()
  const result = await createInvitations(
    getDb(),
    { orgId: org.id, actorId: user.id, emails: input.emails, role: input.role, permissions: input.permissions, projectGrants: input.projects },
    { appUrl: env.APP_URL, ttlDays: env.INVITATION_TTL_DAYS },
  )
  if (!result.ok) return fail(result.message, result.field ? { [result.field === 'projectGrants' ? 'projects' : result.field]: [result.message] } : undefined)
  // The emails go out after the response: inviting never waits on the provider.
  deliverSoon(result.emailIds)
  const rows = result.results.map(({ email, outcome, lookalikeOf }): InviteResultRow => (lookalikeOf ? { email, outcome, lookalikeOf } : { email, outcome }))
  const invited = outcomeCount(rows, 'invited')
  const message = invited === rows.length ? `Invitation${invited === 1 ? '' : 's'} sent to ${invited === 1 ? rows[0].email : `${invited} people`}.` : `${invited} of ${rows.length} invited. See each address below.`
  return { status: invited > 0 ? 'success' : 'error', message, data: rows }
})

export const resendInvitationAction = orgAction(invitationIdSchema, 'members:invite', async ({ invitationId }, { org, user }) => {
  const env = getEnv()
  const result = await resendInvitation(getDb(), { orgId: org.id, actorId: user.id, invitationId }, {
    appUrl: env.APP_URL,
    ttlDays: env.INVITATION_TTL_DAYS,
    cooldownMs: env.INVITATION_RESEND_COOLDOWN_SECONDS * 1000,
  })
  if (!result.ok) {
    // Which daily limit was hit and when it resets, besides the message the Resend button announces.
    if (result.error === 'rate_limited') return { status: 'error', message: result.message, data: { limit: result.limit, resetsAt: result.resetsAt?.toISOString() ?? null } }
    return fail(result.message)
  }
  deliverSoon([result.emailId])
  return ok('Invitation sent again with a new link.')
})

export const revokeInvitationAction = orgAction(invitationIdSchema, 'members:invite', async ({ invitationId }, { org, user }) => {
  const result = await revokeInvitation(getDb(), { orgId: org.id, actorId: user.id, invitationId })
  if (!result.ok) return fail(result.message)
  return ok('Invitation revoked.')
})

export const updateMemberAccessAction = orgAction(memberAccessSchema, 'members:manage_permissions', async (input, { org, user }) => {
  const result = await updateMemberAccess(getDb(), { orgId: org.id, actorId: user.id, userId: input.userId, role: input.role, permissions: input.permissions })
  if (!result.ok) return fail(result.message)
  return ok('Permissions saved.')
})

export const removeMemberAction = orgAction(memberTargetSchema, 'members:remove', async ({ userId }, { org, user }) => {
  const result = await removeMember(getDb(), { orgId: org.id, actorId: user.id, userId })
  if (!result.ok) return fail(result.message)
  return ok('Member removed.')
})

export const makeOwnerAction = orgAction(memberTargetSchema, null, async ({ userId }, { org, user }) => {
  const result = await makeOwner(getDb(), { orgId: org.id, actorId: user.id, userId })
  if (!result.ok) return fail(result.message)
  return ok('They are now an owner.')
})

export const leaveOrganizationAction = orgAction(leaveOrganizationSchema, null, async (_input, { org, user }) => {
  const result = await leaveOrganization(getDb(), { orgId: org.id, userId: user.id })
  if (!result.ok) return fail(result.message)
  revalidatePath('/', 'layout')
  redirect('/dashboard')
})

export const updateInvitationAction = orgAction(updateInvitationSchema, 'members:invite', async (input, { org, user }) => {
  const result = await updateInvitation(getDb(), {
    orgId: org.id,
    actorId: user.id,
    invitationId: input.invitationId,
    role: input.role,
    permissions: input.permissions,
    projectGrants: input.projects,
  })
  if (!result.ok) return fail(result.message)
  return ok('Invitation updated. The link stays the same.')
})

/** What a former member held before, to offer when re-inviting them. */
export const previousAccessAction = orgAction(previousAccessSchema, 'members:invite', async ({ email }, { org, user }) => {
  const previous = await getPreviousAccess(getDb(), { orgId: org.id, actorId: user.id, email })
  return { status: 'success', data: previous }
})

export const setSeatLimitAction = orgAction(seatLimitSchema, null, async ({ seatLimit }, { org, user }) => {
  const result = await setSeatLimit(getDb(), { orgId: org.id, actorId: user.id, seatLimit })
  if (!result.ok) return fail(result.message, result.error === 'invalid' ? { seatLimit: [result.message] } : undefined)
  return ok(seatLimit === null ? 'Seat limit removed.' : `Seat limit set to ${seatLimit}.`)
})

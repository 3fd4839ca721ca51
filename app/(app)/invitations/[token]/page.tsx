import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { withDb } from '@/lib/data/db'
import { getCurrentUser } from '@/lib/auth/session'
import { getInvitationByToken } from '@/lib/data/invitations/get-invitation-by-token'
import { MessagePage } from '@/components/layout/message-page'
import { buttonClass } from '@/components/ui/button-class'
import { EmailText } from '@/components/ui/email-text'
import { SubmitButton } from '@/components/ui/button'
import { inviterLabel } from '../../_lib/open-invitations'
import { switchAccountAction } from '../actions'
import { ContinueAsForm } from '../_components/continue-as-form'
import { InvitationDetails } from '../_components/invitation-details'
import { RespondButtons } from '../_components/respond-buttons'

export const metadata: Metadata = { title: 'Invitation', referrer: 'no-referrer' }

const toDashboard = { href: '/dashboard', label: 'Go to the Dashboard' }

function Ended({ title, body }: { title: string; body: string }) {
  return <MessagePage title={title} body={body} link={toDashboard} isMain={false} />
}

// A GET never changes anything here (mail scanners open links): signing in,
// accepting and declining are all POSTs from this page.
export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params
  const invitation = await withDb(getInvitationByToken, token)
  if (!invitation) notFound()
  const orgName = invitation.organization.name

  if (invitation.status === 'revoked') {
    return <Ended title="This invitation was revoked" body={`The invitation to join ${orgName} was withdrawn. Ask the organization for a new one if you still need access.`} />
  }
  if (invitation.status === 'expired') {
    return <Ended title="This invitation has expired" body={`The invitation to join ${orgName} is no longer valid. Ask the person who invited you to resend it.`} />
  }
  if (invitation.status === 'accepted' || invitation.status === 'declined') {
    return <Ended title="This invitation was already answered" body={`The invitation to join ${orgName} was ${invitation.status}. There is nothing left to do here.`} />
  }

  if (!invitation.inviterCanGrant) {
    return (
      <Ended
        title="This invitation is no longer valid"
        body={`${inviterLabel(invitation.inviter)} can no longer grant the access this invitation to ${orgName} offers, so it cannot be accepted. Ask an admin of ${orgName} to invite you again.`}
      />
    )
  }

  const user = await getCurrentUser()
  const isInvitee = user?.email === invitation.email
  return (
    <div className="mx-auto max-w-lg py-8">
      <p className="text-sm text-slate-600">Invitation</p>
      <h1 className="text-2xl font-semibold break-words">Join {orgName}</h1>
      <p className="mt-3 text-slate-800">
        <strong>{inviterLabel(invitation.inviter)}</strong> invited{' '}
        <strong>
          <EmailText email={invitation.email} />
        </strong> to join{' '}
        <strong>{orgName}</strong>.
      </p>
      <InvitationDetails role={invitation.role} permissions={invitation.permissions} projectGrants={invitation.projectGrants} expiresAt={invitation.expiresAt} />
      <div className="mt-8 rounded-lg border border-slate-200 bg-white p-5">
        {isInvitee ? (
          <>
            <p className="mb-3 text-slate-800">Do you want to join {orgName}?</p>
            <RespondButtons invitationId={invitation.id} then="org" />
          </>
        ) : user ? (
          <>
            <p className="text-slate-800">
              You are signed in as{' '}
              <strong>
                <EmailText email={user.email} />
              </strong>
              , but this invitation is for{' '}
              <strong>
                <EmailText email={invitation.email} />
              </strong>
              .
            </p>
            <form action={switchAccountAction} className="mt-3">
              <input type="hidden" name="token" value={token} />
              <SubmitButton pendingText="Signing out…">Sign out and continue</SubmitButton>
            </form>
          </>
        ) : invitation.hasAccount ? (
          <>
            <p className="text-slate-800">Sign in as {invitation.email} to accept or decline. We will email you a sign-in link that brings you back here.</p>
            <Link
              href={`/login?email=${encodeURIComponent(invitation.email)}&callbackUrl=${encodeURIComponent(`/invitations/${token}`)}`}
              className={buttonClass('primary', 'mt-3')}
            >
              Sign in to answer
            </Link>
          </>
        ) : (
          <>
            <p className="mb-3 text-slate-800">You do not have an account yet. This email proves the address is yours, so no password or second email is needed.</p>
            <ContinueAsForm token={token} email={invitation.email} />
          </>
        )}
      </div>
    </div>
  )
}

'use client'

import { Button } from '@/components/ui/button'
import { ConfirmButton } from '@/components/ui/confirm-button'
import { useAnnouncedAction } from '@/components/ui/use-announced-action'
import { resendInvitationAction, revokeInvitationAction } from '../actions'

/** Resend, and Revoke behind a confirmation, for one pending invitation. */
export function InvitationRowActions({ slug, invitationId, email }: { slug: string; invitationId: string; email: string }) {
  const [isResending, resend] = useAnnouncedAction(resendInvitationAction)
  const [isRevoking, revoke] = useAnnouncedAction(revokeInvitationAction)
  const fields = { slug, invitationId }
  return (
    <div className="flex justify-end gap-2">
      <Button variant="secondary" onClick={() => resend(fields)} disabled={isResending} aria-label={`Resend invitation to ${email}`}>
        {isResending ? 'Resending…' : 'Resend'}
      </Button>
      <ConfirmButton
        label="Revoke"
        ariaLabel={`Revoke invitation to ${email}`}
        title="Revoke invitation?"
        confirmLabel="Revoke invitation"
        pendingLabel="Revoking…"
        isPending={isRevoking}
        onConfirm={(close) => revoke(fields, close)}
      >
        The invitation to <strong className="break-all">{email}</strong> stops working at once. You can invite them again later.
      </ConfirmButton>
    </div>
  )
}

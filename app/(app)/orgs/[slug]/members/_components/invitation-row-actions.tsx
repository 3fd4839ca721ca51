'use client'

import { useActionState, useEffect, useId, useRef } from 'react'
import { Button, SubmitButton } from '@/components/ui/button'
import { useToast } from '@/components/ui/toaster'
import { idleState, type ActionState } from '@/lib/actions/state'
import { resendInvitationAction, revokeInvitationAction } from '../actions'

function useAnnounce(state: ActionState) {
  const toast = useToast()
  useEffect(() => {
    if (state.status !== 'idle' && state.message) toast(state.message, state.status === 'error' ? 'error' : 'success')
  }, [state, toast])
}

/** Resend, and Revoke behind a confirmation, for one pending invitation. */
export function InvitationRowActions({ slug, invitationId, email }: { slug: string; invitationId: string; email: string }) {
  const [resendState, resend] = useActionState(resendInvitationAction, idleState)
  const [revokeState, revoke] = useActionState(revokeInvitationAction, idleState)
  useAnnounce(resendState)
  useAnnounce(revokeState)
  const confirm = useRef<HTMLDialogElement>(null)
  const titleId = useId()

  useEffect(() => {
    if (revokeState.status !== 'idle') confirm.current?.close()
  }, [revokeState])

  return (
    <div className="flex justify-end gap-2">
      <form action={resend}>
        <input type="hidden" name="slug" value={slug} />
        <input type="hidden" name="invitationId" value={invitationId} />
        <SubmitButton variant="secondary" pendingText="Resending…" aria-label={`Resend invitation to ${email}`}>
          Resend
        </SubmitButton>
      </form>
      <Button variant="secondary" onClick={() => confirm.current?.showModal()} aria-haspopup="dialog" aria-label={`Revoke invitation to ${email}`}>
        Revoke
      </Button>
      <dialog ref={confirm} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl">
        <form action={revoke} className="space-y-4 p-6">
          <h2 id={titleId} className="text-lg font-semibold">
            Revoke invitation?
          </h2>
          <p className="text-slate-700">
            The invitation to <strong className="break-all">{email}</strong> stops working at once. You can invite them again later.
          </p>
          <input type="hidden" name="slug" value={slug} />
          <input type="hidden" name="invitationId" value={invitationId} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => confirm.current?.close()} autoFocus>
              Cancel
            </Button>
            <SubmitButton variant="danger" pendingText="Revoking…">
              Revoke invitation
            </SubmitButton>
          </div>
        </form>
      </dialog>
    </div>
  )
}

'use client'

import { useId, useRef, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { useToast } from '@/components/ui/toaster'
import { idleState, type ActionState } from '@/lib/actions/state'
import { resendInvitationAction, revokeInvitationAction } from '../actions'

/**
 * Runs an action and announces its result in the toaster, which outlives this
 * row: after a revoke the row disappears in the same render as the result.
 */
function useAnnouncedAction(action: (state: ActionState, formData: FormData) => Promise<ActionState>) {
  const toast = useToast()
  const [isPending, startTransition] = useTransition()
  const run = (formData: FormData, then?: () => void) =>
    startTransition(async () => {
      const result = await action(idleState, formData)
      if (result.message) toast(result.message, result.status === 'error' ? 'error' : 'success')
      then?.()
    })
  return [isPending, run] as const
}

/** Resend, and Revoke behind a confirmation, for one pending invitation. */
export function InvitationRowActions({ slug, invitationId, email }: { slug: string; invitationId: string; email: string }) {
  const [isResending, resend] = useAnnouncedAction(resendInvitationAction)
  const [isRevoking, revoke] = useAnnouncedAction(revokeInvitationAction)
  const confirm = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const formData = () => {
    const data = new FormData()
    data.set('slug', slug)
    data.set('invitationId', invitationId)
    return data
  }

  return (
    <div className="flex justify-end gap-2">
      <Button variant="secondary" onClick={() => resend(formData())} disabled={isResending} aria-label={`Resend invitation to ${email}`}>
        {isResending ? 'Resending…' : 'Resend'}
      </Button>
      <Button variant="secondary" onClick={() => confirm.current?.showModal()} aria-haspopup="dialog" aria-label={`Revoke invitation to ${email}`}>
        Revoke
      </Button>
      <dialog ref={confirm} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl">
        <div className="space-y-4 p-6">
          <h2 id={titleId} className="text-lg font-semibold">
            Revoke invitation?
          </h2>
          <p className="text-slate-700">
            The invitation to <strong className="break-all">{email}</strong> stops working at once. You can invite them again later.
          </p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => confirm.current?.close()} autoFocus>
              Cancel
            </Button>
            <Button variant="danger" disabled={isRevoking} onClick={() => revoke(formData(), () => confirm.current?.close())}>
              {isRevoking ? 'Revoking…' : 'Revoke invitation'}
            </Button>
          </div>
        </div>
      </dialog>
    </div>
  )
}

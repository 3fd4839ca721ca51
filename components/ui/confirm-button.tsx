'use client'

import { useId, useState } from 'react'
import type { ActionState } from '@/lib/actions/state'
import { Button } from './button'
import type { ButtonVariant } from './button-class'
import { isUnreachable } from './use-announced-action'
import { useModal } from './use-modal'

/**
 * A button that asks before it acts, in a modal dialog (Escape or Cancel backs out). `onConfirm`
 * gets `done`, to call with the action's result: the dialog closes, except when the request did
 * not reach the server, where it stays open and says so, so the user can try again.
 */
export function ConfirmButton({
  label,
  ariaLabel,
  title,
  children,
  confirmLabel,
  pendingLabel,
  isPending,
  onConfirm,
  variant = 'secondary',
}: {
  label: string
  ariaLabel?: string
  title: string
  children: React.ReactNode
  confirmLabel: string
  pendingLabel: string
  isPending: boolean
  onConfirm: (done: (result?: ActionState<unknown>) => void) => void
  variant?: ButtonVariant
}) {
  const modal = useModal()
  const titleId = useId()
  const [failure, setFailure] = useState<string | null>(null)
  const done = (result?: ActionState<unknown>) => {
    if (result && isUnreachable(result)) return setFailure(result.message ?? null)
    modal.close()
  }
  const open = () => {
    setFailure(null)
    modal.open()
  }
  return (
    <>
      <Button variant={variant} onClick={open} aria-haspopup="dialog" aria-label={ariaLabel}>
        {label}
      </Button>
      {modal.isOpen ? (
        <dialog {...modal.dialogProps} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg p-0 text-left shadow-xl">
          <div className="space-y-4 p-6">
            <h2 id={titleId} className="text-lg font-semibold">
              {title}
            </h2>
            <div className="text-slate-700">{children}</div>
            {failure ? (
              <p role="alert" className="text-sm text-red-700">
                {failure}
              </p>
            ) : null}
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={modal.close} autoFocus>
                Cancel
              </Button>
              {/* aria-disabled, not disabled: a disabled button drops focus to the page body while it works. */}
              <Button variant="danger" aria-disabled={isPending || undefined} onClick={() => (isPending ? undefined : onConfirm(done))}>
                {isPending ? pendingLabel : confirmLabel}
              </Button>
            </div>
          </div>
        </dialog>
      ) : null}
    </>
  )
}

'use client'

import { useId } from 'react'
import { Button } from './button'
import type { ButtonVariant } from './button-class'
import { useModal } from './use-modal'

/** A button that asks before it acts, in a modal dialog (Escape or Cancel backs out). */
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
  onConfirm: (close: () => void) => void
  variant?: ButtonVariant
}) {
  const modal = useModal()
  const titleId = useId()
  return (
    <>
      <Button variant={variant} onClick={modal.open} aria-haspopup="dialog" aria-label={ariaLabel}>
        {label}
      </Button>
      {modal.isOpen ? (
        <dialog {...modal.dialogProps} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg p-0 text-left shadow-xl">
          <div className="space-y-4 p-6">
            <h2 id={titleId} className="text-lg font-semibold">
              {title}
            </h2>
            <div className="text-slate-700">{children}</div>
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={modal.close} autoFocus>
                Cancel
              </Button>
              <Button variant="danger" disabled={isPending} onClick={() => onConfirm(modal.close)}>
                {isPending ? pendingLabel : confirmLabel}
              </Button>
            </div>
          </div>
        </dialog>
      ) : null}
    </>
  )
}

'use client'

import { useCallback, useRef, useState } from 'react'

/**
 * A modal dialog mounted only while open: a list of 50 rows with an edit and a
 * confirm dialog each renders 50 buttons, not 150 dialogs. Spread `dialogProps`
 * on the <dialog>; it opens as a modal when it mounts and unmounts when closed
 * (Escape included).
 */
export function useModal() {
  const [isOpen, setOpen] = useState(false)
  const element = useRef<HTMLDialogElement | null>(null)
  const ref = useCallback((el: HTMLDialogElement | null) => {
    element.current = el
    if (el && !el.open) el.showModal()
  }, [])
  const open = useCallback(() => setOpen(true), [])
  const close = useCallback(() => element.current?.close(), [])
  return { isOpen, open, close, dialogProps: { ref, onClose: () => setOpen(false) } }
}

'use client'

import { useEffect, type RefObject } from 'react'

/**
 * Closes an open popover (the bell, the account menu) on Escape, returning focus to its button,
 * and on a click or focus outside `root`: tabbing out must not leave it open over the page
 * (issue 14). An answered item leaving the panel moves focus to no element, which closes nothing.
 */
export function useDismiss(
  isOpen: boolean,
  close: () => void,
  root: RefObject<HTMLElement | null>,
  button: RefObject<HTMLButtonElement | null>,
) {
  useEffect(() => {
    if (!isOpen) return
    function onKey(e: KeyboardEvent) {
      if (e.key !== 'Escape') return
      close()
      button.current?.focus()
    }
    function onOutside(e: Event) {
      if (!(e.target instanceof Node && root.current?.contains(e.target))) close()
    }
    document.addEventListener('keydown', onKey)
    document.addEventListener('mousedown', onOutside)
    document.addEventListener('focusin', onOutside)
    return () => {
      document.removeEventListener('keydown', onKey)
      document.removeEventListener('mousedown', onOutside)
      document.removeEventListener('focusin', onOutside)
    }
  }, [isOpen, close, root, button])
}

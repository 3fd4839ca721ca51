'use client'

import { useCallback, useId, useRef, useState } from 'react'
import { useDismiss } from '@/components/ui/use-dismiss'
import { signOutAction } from '@/app/actions'
import { SubmitButton, useIsHydrated } from '@/components/ui/button'
import { EmailText } from '@/components/ui/email-text'

/**
 * The signed-in account in the header, on phones too (issue 14): a button named for the account
 * that opens a panel with the address and Sign out. Escape, a click outside or focus moving away
 * closes it.
 */
export function AccountMenu({ email }: { email: string }) {
  const [isOpen, setOpen] = useState(false)
  const close = useCallback(() => setOpen(false), [])
  const isHydrated = useIsHydrated()
  const panelId = useId()
  const root = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)

  useDismiss(isOpen, close, root, button)

  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={() => setOpen(!isOpen)}
        disabled={!isHydrated}
        className="inline-flex items-center gap-2 rounded-md p-1 text-sm text-slate-800 hover:bg-slate-100 sm:px-2"
      >
        <span aria-hidden="true" className="flex size-7 items-center justify-center rounded-full bg-indigo-700 text-xs font-semibold text-white uppercase">
          {email.slice(0, 1)}
        </span>
        <span className="sr-only">Account: </span>
        <span className="max-w-56 truncate max-sm:sr-only">{email}</span>
      </button>
      {/* Filled only while open: the header then holds the address once, in the button. */}
      <div id={panelId} hidden={!isOpen} className="absolute right-0 z-40 mt-2 w-72 max-w-[calc(100vw-2rem)] rounded-lg border border-slate-200 bg-white p-4 shadow-xl">
        {isOpen ? (
          <>
            <p className="text-xs text-slate-600">Signed in as</p>
            <p className="mt-0.5 text-sm font-medium text-slate-900">
              <EmailText email={email} />
            </p>
            <form action={signOutAction} className="mt-3">
              <SubmitButton variant="secondary" pendingText="Signing out…" className="w-full">
                Sign out
              </SubmitButton>
            </form>
          </>
        ) : null}
      </div>
    </div>
  )
}

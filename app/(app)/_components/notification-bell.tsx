'use client'

import { useCallback, useId, useRef, useState } from 'react'
import { useDismiss } from '@/components/ui/use-dismiss'
import { useIsHydrated } from '@/components/ui/button'
import { useAnnouncedAction } from '@/components/ui/use-announced-action'
import { RespondButtons } from '../invitations/_components/respond-buttons'
import { markNotificationsReadAction } from '../notifications-actions'

export interface BellInvitation {
  id: string
  orgName: string
  inviter: string
  /** False when Accept would be refused: the inviter can no longer grant what is offered. */
  inviterCanGrant: boolean
}

export interface BellNotification {
  id: string
  text: string
  when: string
  isRead: boolean
}

function BellIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="2">
      <path d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
      <path d="M13.73 21a2 2 0 0 1-3.46 0" />
    </svg>
  )
}

/** The bell in the header: the number of open invitations, and a panel to answer them. */
export function NotificationBell({
  invitations,
  total,
  notifications,
  unread,
}: {
  invitations: BellInvitation[]
  total: number
  notifications: BellNotification[]
  unread: number
}) {
  const [isOpen, setOpen] = useState(false)
  const close = useCallback(() => setOpen(false), [])
  const [, markRead] = useAnnouncedAction(markNotificationsReadAction)
  const isHydrated = useIsHydrated()
  const panelId = useId()
  const headingId = `${panelId}-heading`
  // On phones the panel spans the screen below the button (fixed, so it never depends on where
  // the bell sits in the header); from the small breakpoint it hangs from the bell.
  const [top, setTop] = useState(64)
  const root = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)

  useDismiss(isOpen, close, root, button)

  const label = `Notifications, ${total === 0 ? 'no open invitations' : `${total} open invitation${total === 1 ? '' : 's'}`}${unread > 0 ? `, ${unread} unread` : ''}`
  const count = total + unread

  function toggle() {
    const opening = !isOpen
    if (opening && button.current) setTop(Math.round(button.current.getBoundingClientRect().bottom + 8))
    setOpen(opening)
    // Opening the bell is reading it: the accepted/declined notices are marked read.
    if (opening && unread > 0) markRead({})
  }
  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        aria-label={label}
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={toggle}
        disabled={!isHydrated}
        className="relative inline-flex items-center rounded-md p-2 text-slate-800 hover:bg-slate-100"
      >
        <BellIcon />
        {count > 0 ? (
          <span aria-hidden="true" className="absolute -top-0.5 -right-0.5 min-w-5 rounded-full bg-red-700 px-1 text-center text-xs font-semibold text-white">
            {count}
          </span>
        ) : null}
      </button>
      <div
        id={panelId}
        hidden={!isOpen}
        style={{ '--bell-top': `${top}px` } as React.CSSProperties}
        className="fixed inset-x-2 top-(--bell-top) z-40 max-h-[calc(100dvh-var(--bell-top)-0.5rem)] overflow-y-auto rounded-lg border border-slate-200 bg-white p-4 shadow-xl sm:absolute sm:inset-x-auto sm:top-full sm:right-0 sm:mt-2 sm:max-h-[80vh] sm:w-96"
      >
        <h2 id={headingId} tabIndex={-1} className="text-sm font-semibold text-slate-900">
          Open invitations
        </h2>
        {invitations.length === 0 ? (
          <p className="mt-2 text-sm text-slate-700">No open invitations. When someone invites you to an organization, it shows up here.</p>
        ) : (
          <ul className="mt-2 space-y-3">
            {invitations.map((inv) => (
              <li key={inv.id}>
                <section aria-label={`Invitation to join ${inv.orgName}`} className="rounded-md border border-slate-200 p-3">
                  <p className="text-sm text-slate-800">
                    <strong>{inv.inviter}</strong> invited you to join <strong>{inv.orgName}</strong>.
                  </p>
                  {inv.inviterCanGrant ? (
                    <div className="mt-2">
                      <RespondButtons invitationId={inv.id} focusAfter={{ accept: [headingId], decline: [headingId] }} />
                    </div>
                  ) : (
                    <p className="mt-2 text-sm font-medium text-red-800">
                      No longer valid: the person who invited you can no longer grant this access. Ask an admin of {inv.orgName} to invite you again.
                    </p>
                  )}
                </section>
              </li>
            ))}
          </ul>
        )}
        {total > invitations.length ? <p className="mt-2 text-sm text-slate-700">And {total - invitations.length} more on the Dashboard.</p> : null}
        {notifications.length > 0 ? (
          <>
            <h2 className="mt-4 text-sm font-semibold text-slate-900">Updates</h2>
            <ul className="mt-2 space-y-2" aria-label="Updates">
              {notifications.map((n) => (
                <li key={n.id} className="text-sm text-slate-800">
                  {n.isRead ? null : <span className="mr-1 font-semibold text-indigo-800">New:</span>}
                  {n.text} <span className="text-slate-600">{n.when}</span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </div>
  )
}

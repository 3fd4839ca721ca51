'use client'

import { useRouter } from 'next/navigation'
import { useRef, useState } from 'react'
import { Button } from '@/components/ui/button'
import { firstPresent, focusWhenGone } from '@/components/ui/focus-when-gone'
import { isUnreachable, useAnnouncedAction } from '@/components/ui/use-announced-action'
import { acceptInvitationAction, declineInvitationAction } from '../actions'

type Answer = 'accept' | 'decline'

/**
 * Accept and Decline for one invitation; the result is announced in the toaster, which outlives
 * this list item, and the page (header and bell included) is refreshed. `then="org"` (the emailed
 * link) goes to the organization after Accept. `focusAfter` names, per answer, the ids to focus
 * once the item is gone (the first one still on the page); a failed request is said here.
 */
export function RespondButtons({
  invitationId,
  then = 'stay',
  focusAfter,
}: {
  invitationId: string
  then?: 'stay' | 'org'
  focusAfter?: Record<Answer, string[]>
}) {
  const router = useRouter()
  const [isAccepting, accept] = useAnnouncedAction(acceptInvitationAction)
  const [isDeclining, decline] = useAnnouncedAction(declineInvitationAction)
  const [working, setWorking] = useState<Answer | null>(null)
  const [failure, setFailure] = useState<string | null>(null)
  const root = useRef<HTMLDivElement>(null)
  const isPending = isAccepting || isDeclining

  function respond(kind: Answer) {
    if (isPending) return
    setWorking(kind)
    setFailure(null)
    const item = root.current?.closest('li') ?? root.current
    ;(kind === 'accept' ? accept : decline)({ invitationId }, (result) => {
      setWorking(null)
      if (isUnreachable(result)) return setFailure(result.message ?? null)
      const slug = (result.data as { slug?: string } | undefined)?.slug
      if (result.status === 'success' && kind === 'accept' && then === 'org' && slug) return router.push(`/orgs/${slug}`)
      if (result.status === 'success' && item && focusAfter) focusWhenGone(item, () => firstPresent(focusAfter[kind]))
    })
  }

  // aria-disabled, not disabled, while working: a disabled button drops focus to the page body.
  return (
    <div ref={root}>
      <div className="flex gap-2">
        <Button onClick={() => respond('accept')} aria-disabled={isPending || undefined} aria-busy={working === 'accept' || undefined}>
          {working === 'accept' ? 'Accepting…' : 'Accept'}
        </Button>
        <Button variant="secondary" onClick={() => respond('decline')} aria-disabled={isPending || undefined} aria-busy={working === 'decline' || undefined}>
          {working === 'decline' ? 'Declining…' : 'Decline'}
        </Button>
      </div>
      {failure ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {failure}
        </p>
      ) : null}
    </div>
  )
}

'use client'

import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { useAnnouncedAction } from '@/components/ui/use-announced-action'
import { acceptInvitationAction, declineInvitationAction } from '../actions'

/** Accept and Decline for one invitation; the result is announced in the toaster, which outlives this list item. */
export function RespondButtons({ invitationId, then = 'stay' }: { invitationId: string; then?: 'stay' | 'org' }) {
  const [isAccepting, accept] = useAnnouncedAction(acceptInvitationAction)
  const [isDeclining, decline] = useAnnouncedAction(declineInvitationAction)
  const [working, setWorking] = useState<'accept' | 'decline' | null>(null)
  const isPending = isAccepting || isDeclining

  function respond(kind: 'accept' | 'decline') {
    setWorking(kind)
    ;(kind === 'accept' ? accept : decline)({ invitationId, then }, () => setWorking(null))
  }

  return (
    <div className="flex gap-2">
      <Button onClick={() => respond('accept')} disabled={isPending} aria-busy={working === 'accept' || undefined}>
        {working === 'accept' ? 'Accepting…' : 'Accept'}
      </Button>
      <Button variant="secondary" onClick={() => respond('decline')} disabled={isPending} aria-busy={working === 'decline' || undefined}>
        {working === 'decline' ? 'Declining…' : 'Decline'}
      </Button>
    </div>
  )
}

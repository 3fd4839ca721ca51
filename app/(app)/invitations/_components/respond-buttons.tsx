'use client'

import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { useToast } from '@/components/ui/toaster'
import { idleState } from '@/lib/actions/state'
import { acceptInvitationAction, declineInvitationAction } from '../actions'

/** Accept and Decline for one invitation; the result is announced in the toaster, which outlives this list item. */
export function RespondButtons({ invitationId, then = 'stay' }: { invitationId: string; then?: 'stay' | 'org' }) {
  const toast = useToast()
  const [isPending, startTransition] = useTransition()
  const [working, setWorking] = useState<'accept' | 'decline' | null>(null)

  function respond(kind: 'accept' | 'decline') {
    setWorking(kind)
    startTransition(async () => {
      const form = new FormData()
      form.set('invitationId', invitationId)
      form.set('then', then)
      const action = kind === 'accept' ? acceptInvitationAction : declineInvitationAction
      const result = await action(idleState, form)
      if (result.message) toast(result.message, result.status === 'error' ? 'error' : 'success')
      setWorking(null)
    })
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

'use client'

import { useActionState } from 'react'
import { FormMessage } from '@/components/form/form-message'
import { SubmitButton } from '@/components/ui/button'
import { idleState } from '@/lib/actions/state'
import { continueAsInvitedAction } from '../actions'

export function ContinueAsForm({ token, email }: { token: string; email: string }) {
  const [state, action] = useActionState(continueAsInvitedAction, idleState)
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingText="Continuing…">Continue as {email}</SubmitButton>
      <FormMessage state={state} />
    </form>
  )
}

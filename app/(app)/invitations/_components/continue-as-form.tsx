'use client'

import { FormMessage } from '@/components/form/form-message'
import { SubmitButton } from '@/components/ui/button'
import { useFormAction } from '@/components/form/use-form-action'
import { continueAsInvitedAction } from '../actions'

export function ContinueAsForm({ token, email }: { token: string; email: string }) {
  const [state, form] = useFormAction(continueAsInvitedAction)
  return (
    <form {...form} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingText="Continuing…">Continue as {email}</SubmitButton>
      <FormMessage state={state} />
    </form>
  )
}

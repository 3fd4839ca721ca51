'use client'

import { useActionState } from 'react'
import { TextField } from '@/components/form/text-field'
import { FormMessage } from '@/components/form/form-message'
import { SubmitButton } from '@/components/ui/button'
import { idleState } from '@/lib/actions/state'
import { signInAction } from '../actions'

export function SignInForm({ callbackUrl, email }: { callbackUrl?: string; email?: string }) {
  const [state, action] = useActionState(signInAction, idleState)
  return (
    <form action={action} noValidate className="space-y-4">
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.values?.email ?? email ?? ''}
        key={state.values?.email}
        errors={state.fieldErrors?.email}
      />
      <SubmitButton pendingText="Sending link…" className="w-full">
        Sign in with email
      </SubmitButton>
      {state.status === 'error' && !state.fieldErrors ? <FormMessage state={state} /> : null}
    </form>
  )
}

'use client'

import { useActionState, useState, useTransition } from 'react'
import { callAction } from '@/components/ui/use-announced-action'
import { idleState, type ActionState } from '@/lib/actions/state'

type FormAction<D> = (state: ActionState<D>, formData: FormData) => Promise<ActionState<D>>

/**
 * A form's server action whose failed request is shown in the form (issue 14). Spread `form` on
 * the <form>: before the page's script runs it posts as a plain form (progressive enhancement);
 * after, the submit goes through callAction, so a network failure or 5xx becomes an error state
 * that keeps what was typed, instead of the error page. React does not reset such a form, so
 * controlled fields keep showing exactly what the next submit sends. `onResult` sees each answer.
 */
export function useFormAction<D = unknown>(action: FormAction<D>, onResult?: (result: ActionState<D>, formData: FormData) => void) {
  const [postedState, formAction] = useActionState(action, idleState as ActionState<D>)
  const [state, setState] = useState<ActionState<D> | null>(null)
  const [isPending, startTransition] = useTransition()
  const current = state ?? postedState
  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (isPending) return
    const formData = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter)
    startTransition(async () => {
      const result = await callAction(action, current, formData)
      startTransition(() => {
        setState(result)
        onResult?.(result, formData)
      })
    })
  }
  return [current, { action: formAction, onSubmit }] as const
}

'use client'

import { useTransition } from 'react'
import { idleState, type ActionState } from '@/lib/actions/state'
import { useToast } from './toaster'

/**
 * Runs a server action and announces its result in the toaster, which outlives
 * the caller: after a revoke or a removal the row disappears in the same render
 * as the result.
 */
export function useAnnouncedAction<D>(action: (state: ActionState<D>, formData: FormData) => Promise<ActionState<D>>) {
  const toast = useToast()
  const [isPending, startTransition] = useTransition()
  const run = (fields: Record<string, string | string[]>, then?: (result: ActionState<D>) => void) =>
    startTransition(async () => {
      const formData = new FormData()
      for (const [key, value] of Object.entries(fields)) {
        for (const v of Array.isArray(value) ? value : [value]) formData.append(key, v)
      }
      const result = await action(idleState as ActionState<D>, formData)
      if (result.message) toast(result.message, result.status === 'error' ? 'error' : 'success')
      then?.(result)
    })
  return [isPending, run] as const
}

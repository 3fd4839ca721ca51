'use client'

import { useRouter } from 'next/navigation'
import { useTransition } from 'react'
import { idleState, type ActionState } from '@/lib/actions/state'
import { useToast } from './toaster'

/**
 * Runs a server action, announces its result in the toaster (which outlives the caller: a
 * revoked row may be gone by the time the message shows), and after a success refreshes the
 * page, so lists show the change. The actions answer with their result only: the refresh is a
 * request of its own, and the answer comes back without waiting for the page to re-render.
 */
export function useAnnouncedAction<D>(action: (state: ActionState<D>, formData: FormData) => Promise<ActionState<D>>) {
  const toast = useToast()
  const router = useRouter()
  const [isPending, startTransition] = useTransition()
  const run = (fields: Record<string, string | string[]>, then?: (result: ActionState<D>) => void) =>
    startTransition(async () => {
      const formData = new FormData()
      for (const [key, value] of Object.entries(fields)) {
        for (const v of Array.isArray(value) ? value : [value]) formData.append(key, v)
      }
      const result = await action(idleState as ActionState<D>, formData)
      if (result.message) toast(result.message, result.status === 'error' ? 'error' : 'success')
      if (result.status === 'success') router.refresh()
      then?.(result)
    })
  return [isPending, run] as const
}

'use client'

import { unstable_rethrow, useRouter } from 'next/navigation'
import { useTransition } from 'react'
import { idleState, type ActionState } from '@/lib/actions/state'
import { useToast } from './toaster'

export const UNREACHABLE_MESSAGE = 'Could not reach the server. Nothing was changed; try again.'

/** The state a form shows when its request failed (network down, server restarted, 5xx). */
export const unreachableState: ActionState<never> = { status: 'error', message: UNREACHABLE_MESSAGE }

export const isUnreachable = (state: ActionState<unknown>) => state.message === UNREACHABLE_MESSAGE

/**
 * Calls a server action and turns a failed request into a returned error, so the form or button
 * that called it stays, with what was typed (issue 14): a thrown action otherwise reaches the
 * error boundary, which replaces the page. A redirect from the action still goes through.
 */
export async function callAction<D>(action: (state: ActionState<D>, formData: FormData) => Promise<ActionState<D>>, state: ActionState<D>, formData: FormData) {
  try {
    return await action(state, formData)
  } catch (error) {
    unstable_rethrow(error)
    // The previous answer's values: a form keyed on them is not remounted, so it keeps what is typed.
    return { ...unreachableState, values: state.values } as ActionState<D>
  }
}

/**
 * Runs a server action, announces its result in the toaster (which outlives the caller: a
 * revoked row may be gone by the time the message shows), and after a success refreshes the
 * page, so lists show the change. The actions answer with their result only: the refresh is a
 * request of its own, and the answer comes back without waiting for the page to re-render.
 * A failed request goes to `then`, to be shown where it happened; without `then`, the toaster says it.
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
      const result = await callAction(action, idleState as ActionState<D>, formData)
      if (result.message && !(then && isUnreachable(result))) toast(result.message, result.status === 'error' ? 'error' : 'success')
      // `then` first: a navigation it starts is refreshed, not the page being left.
      then?.(result)
      if (result.status === 'success') router.refresh()
    })
  return [isPending, run] as const
}

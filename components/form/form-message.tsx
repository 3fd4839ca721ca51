import type { ActionState } from '@/lib/actions/state'

/** The result of a form, in a live region so screen readers announce it. */
export function FormMessage({ state, className = '' }: { state: ActionState<unknown>; className?: string }) {
  const tone = state.status === 'error' ? 'text-red-700' : 'text-emerald-800'
  return (
    <p role="status" aria-live="polite" className={`text-sm ${tone} ${className}`}>
      {state.status !== 'idle' ? state.message : null}
    </p>
  )
}

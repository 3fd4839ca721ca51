export interface ActionState<Data = unknown> {
  status: 'idle' | 'success' | 'error'
  message?: string
  fieldErrors?: Record<string, string[]>
  /** The non-secret values the user typed, echoed so a failed form keeps them. */
  values?: Record<string, string>
  data?: Data
}

export const idleState: ActionState = { status: 'idle' }

export function ok<Data>(message?: string, data?: Data): ActionState<Data> {
  return { status: 'success', message, data }
}

export function fail(message: string, fieldErrors?: Record<string, string[]>): ActionState<never> {
  return { status: 'error', message, fieldErrors }
}

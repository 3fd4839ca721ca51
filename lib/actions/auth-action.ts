import 'server-only'
import type { z } from 'zod'
import { getActionUser, type CurrentUser } from '@/lib/auth/session'
import { runAction } from './run-action'
import type { ActionState } from './state'

/** A server action for a signed-in user: `(previousState, formData) => state`, for useActionState. */
export function authAction<S extends z.ZodType, Data = unknown>(
  schema: S,
  handler: (input: z.infer<S>, ctx: { user: CurrentUser }) => Promise<ActionState<Data>>,
) {
  return async (_previous: ActionState<Data>, formData: FormData): Promise<ActionState<Data>> =>
    runAction(schema, formData, getActionUser, (input, user) => handler(input, { user }))
}

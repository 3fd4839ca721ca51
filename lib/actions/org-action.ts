import 'server-only'
import type { z } from 'zod'
import { getDb } from '@/lib/data/db'
import { getActionUser, type CurrentUser } from '@/lib/auth/session'
import { getOrgForMember, type OrgContext } from '@/lib/data/organizations'
import { hasPermission, type OrgPermission } from '@/lib/permissions'
import { runAction } from './run-action'
import { fail, type ActionState } from './state'

export type OrgActionContext = OrgContext & { user: CurrentUser }

/**
 * A server action on one organization, named by the form's `slug`. Resolves the
 * caller's membership (not a member: "not found") and, when given, requires a
 * permission, for a clear message; the data function checks again in its transaction.
 */
export function orgAction<S extends z.ZodObject<{ slug: z.ZodString }>, Data = unknown>(
  schema: S,
  permission: OrgPermission | null,
  handler: (input: z.infer<S>, ctx: OrgActionContext) => Promise<ActionState<Data>>,
) {
  return async (_previous: ActionState<Data>, formData: FormData): Promise<ActionState<Data>> =>
    runAction(schema, formData, getActionUser, async (input, user) => {
      const ctx = await getOrgForMember(getDb(), { slug: input.slug, userId: user.id })
      if (!ctx) return fail('This organization was not found.')
      if (permission && !hasPermission(ctx.membership, permission)) return fail('You do not have permission to do this.')
      return handler(input, { ...ctx, user })
    })
}

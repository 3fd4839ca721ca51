'use server'

import { headers } from 'next/headers'
import { getDb } from '@/lib/data/db'
import { EMAIL_PROVIDER_ID, signIn } from '@/lib/auth'
import { safeCallbackUrl } from '@/lib/auth/callback-url'
import { formToObject, formValues } from '@/lib/actions/run-action'
import { fail, type ActionState } from '@/lib/actions/state'
import { consumeSignInBudget, type SignInLimit } from '@/lib/data/consume-sign-in-budget'
import { getEnv } from '@/lib/env'
import { clientIp } from '@/lib/request'
import { signInSchema } from '@/lib/validations/auth'

function refusal(limit: SignInLimit, retryAfterMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000))
  const wait = `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`
  return limit === 'global' ? `Too many sign-in emails are being sent right now. ${wait}` : `Too many sign-in emails were requested. ${wait}`
}

/** Public by nature (the caller is signed out): guarded by input validation and the sign-in email limits. */
export async function signInAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const values = formValues(formData)
  const parsed = signInSchema.safeParse(formToObject(formData))
  if (!parsed.success) {
    return { ...fail('Please correct the highlighted fields.', { email: [parsed.error.issues[0].message] }), values }
  }
  const { email, callbackUrl } = parsed.data
  const env = getEnv()
  const ip = clientIp(await headers(), env.TRUSTED_PROXY_HOPS)
  const budget = await consumeSignInBudget(getDb(), { email, ip, globalLimit: env.SIGN_IN_GLOBAL_LIMIT })
  if (!budget.allowed) {
    const message = refusal(budget.limit, budget.retryAfterMs)
    return { ...fail(message, { email: [message] }), values }
  }
  await signIn(EMAIL_PROVIDER_ID, { email, redirectTo: safeCallbackUrl(callbackUrl, env.APP_URL) })
  return { status: 'success' }
}

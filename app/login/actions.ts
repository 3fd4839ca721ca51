'use server'

import { headers } from 'next/headers'
import { getDb } from '@/db/client'
import { EMAIL_PROVIDER_ID, signIn } from '@/lib/auth'
import { safeCallbackUrl } from '@/lib/auth/callback-url'
import { formToObject, formValues } from '@/lib/actions/run-action'
import { fail, type ActionState } from '@/lib/actions/state'
import { consumeRateLimit, rateLimitKey, SIGN_IN_LIMITS } from '@/lib/data/rate-limits'
import { getEnv } from '@/lib/env'
import { clientIp } from '@/lib/request'
import { signInSchema } from '@/lib/validations/auth'

/** Public by nature (the caller is signed out): guarded by input validation and rate limits per address and per IP. */
export async function signInAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const values = formValues(formData)
  const parsed = signInSchema.safeParse(formToObject(formData))
  if (!parsed.success) {
    return { ...fail('Please correct the highlighted fields.', { email: [parsed.error.issues[0].message] }), values }
  }
  const { email, callbackUrl } = parsed.data
  const db = getDb()
  const ip = clientIp(await headers())
  const byEmail = await consumeRateLimit(db, { key: rateLimitKey('sign-in:email', email), ...SIGN_IN_LIMITS.perEmail })
  const byIp = byEmail.allowed ? await consumeRateLimit(db, { key: rateLimitKey('sign-in:ip', ip), ...SIGN_IN_LIMITS.perIp }) : byEmail
  if (!byEmail.allowed || !byIp.allowed) {
    const minutes = Math.max(1, Math.ceil(Math.max(byEmail.retryAfterMs, byIp.retryAfterMs) / 60_000))
    const message = `Too many sign-in emails were requested. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`
    return { ...fail(message, { email: [message] }), values }
  }
  await signIn(EMAIL_PROVIDER_ID, { email, redirectTo: safeCallbackUrl(callbackUrl, getEnv().APP_URL) })
  return { status: 'success' }
}

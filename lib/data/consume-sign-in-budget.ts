import 'server-only'
import type { Db } from '@/db/client'
import { consumeRateLimit, rateLimitKey, SIGN_IN_LIMITS } from './rate-limits'

export type SignInLimit = 'email' | 'ip' | 'global'

export type SignInBudget = { allowed: true } | { allowed: false; limit: SignInLimit; retryAfterMs: number }

const GLOBAL_KEY = 'sign-in:global'

/**
 * Whether one more sign-in email may go out: per address, per client address (when one is
 * known: `ip` is null without a trusted proxy) and for all addresses together. Each limit is
 * consumed only when the ones before it allowed the request, so hammering one address never
 * uses up the budget of everyone else.
 */
export async function consumeSignInBudget(
  db: Db,
  { email, ip, globalLimit = SIGN_IN_LIMITS.global.limit, now = new Date() }: { email: string; ip: string | null; globalLimit?: number; now?: Date },
): Promise<SignInBudget> {
  const steps: { limit: SignInLimit; key: string; max: number; windowMs: number }[] = [
    { limit: 'email', key: rateLimitKey('sign-in:email', email), max: SIGN_IN_LIMITS.perEmail.limit, windowMs: SIGN_IN_LIMITS.perEmail.windowMs },
    ...(ip === null ? [] : [{ limit: 'ip' as const, key: rateLimitKey('sign-in:ip', ip), max: SIGN_IN_LIMITS.perIp.limit, windowMs: SIGN_IN_LIMITS.perIp.windowMs }]),
    { limit: 'global', key: GLOBAL_KEY, max: globalLimit, windowMs: SIGN_IN_LIMITS.global.windowMs },
  ]
  for (const step of steps) {
    const result = await consumeRateLimit(db, { key: step.key, limit: step.max, windowMs: step.windowMs, now })
    if (!result.allowed) return { allowed: false, limit: step.limit, retryAfterMs: result.retryAfterMs }
  }
  return { allowed: true }
}

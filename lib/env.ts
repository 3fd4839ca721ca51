import 'server-only'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL').optional(),
  ),
  /** Where PGlite keeps its files when DATABASE_URL is unset (default .data/pglite). */
  PGLITE_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  AUTH_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'AUTH_SECRET must be at least 32 characters (try: openssl rand -base64 32)').optional()),
  APP_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({ protocol: /^https?$/, message: 'APP_URL must be an http(s) URL such as https://app.example.com' })
      .default('http://localhost:3000')
      .transform((u) => new URL(u).origin),
  ),
  RESEND_API_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
  EMAIL_FROM: z.preprocess(emptyToUndefined, z.string().default('Invitations <onboarding@resend.dev>')),
  INVITATION_TTL_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: 'INVITATION_TTL_DAYS must be a number of days' }).int('INVITATION_TTL_DAYS must be a whole number of days').min(1).max(90).default(7),
  ),
  INVITATION_RESEND_COOLDOWN_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: 'INVITATION_RESEND_COOLDOWN_SECONDS must be a number of seconds' }).int().min(0).max(3600).default(60),
  ),
  TRUSTED_PROXY_HOPS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'TRUSTED_PROXY_HOPS must be the number of proxies in front of the app (0 to 10)' })
      .int('TRUSTED_PROXY_HOPS must be a whole number')
      .min(0, 'TRUSTED_PROXY_HOPS must be 0 or more')
      .max(10, 'TRUSTED_PROXY_HOPS must be at most 10')
      .default(1),
  ),
  SIGN_IN_GLOBAL_LIMIT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'SIGN_IN_GLOBAL_LIMIT must be a number of emails' })
      .int('SIGN_IN_GLOBAL_LIMIT must be a whole number')
      .min(1, 'SIGN_IN_GLOBAL_LIMIT must be at least 1')
      .optional(),
  ),
})

export type Env = z.infer<typeof schema> & { AUTH_SECRET: string; isDevMailbox: boolean }

export class EnvError extends Error {}

/** Validates the environment; throws one message that names every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`)
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}\nSee .env.example.`)
  }
  const env = parsed.data
  const isProduction = env.NODE_ENV === 'production'
  if (isProduction && !env.AUTH_SECRET) {
    throw new EnvError('AUTH_SECRET is required in production: set it to a random string of 32+ characters (openssl rand -base64 32).')
  }
  if (isProduction && !env.RESEND_API_KEY) {
    throw new EnvError('RESEND_API_KEY is required in production: without an email provider nobody could sign in or receive an invitation.')
  }
  return { ...env, AUTH_SECRET: env.AUTH_SECRET ?? devSecret(), isDevMailbox: !env.RESEND_API_KEY }
}

// Development only: a secret generated once and kept under .data/, so sessions survive restarts.
function devSecret(): string {
  const file = path.join(process.cwd(), '.data', 'dev-auth-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomBytes(32).toString('base64url')
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, secret, { mode: 0o600 })
  console.warn(`[env] AUTH_SECRET is not set: using a generated development secret stored in ${file}.`)
  return secret
}

let cached: Env | undefined

export function getEnv(): Env {
  cached ??= parseEnv(process.env)
  return cached
}

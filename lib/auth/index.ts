import 'server-only'
import NextAuth, { type NextAuthConfig } from 'next-auth'
import { DrizzleAdapter } from '@auth/drizzle-adapter'
import { getDb } from '@/lib/data/db'
import { accounts, sessions, users, verificationTokens } from '@/db/schema'
import { getEnv } from '@/lib/env'
import { safeCallbackUrl } from './callback-url'
import { withHashedSessions } from './hashed-session-adapter'
import { sendSignInEmail } from './sign-in-email'

/** `url` as a path when it is on `baseUrl`'s origin (as typed, before normalisation), else `url` itself. */
function sameOriginPath(url: string, baseUrl: string): string {
  const origin = new URL(baseUrl).origin
  if (!url.startsWith(`${origin}/`)) return url
  return url.slice(origin.length)
}

export const EMAIL_PROVIDER_ID = 'email'
export const MAGIC_LINK_MAX_AGE_SECONDS = 15 * 60

function buildConfig(): NextAuthConfig {
  const env = getEnv()
  // Auth.js builds every URL (magic links included) from AUTH_URL, never from the
  // request's Host or X-Forwarded-Host, so a forged header cannot redirect a link.
  process.env.AUTH_URL = new URL('/api/auth', env.APP_URL).href
  return {
    secret: env.AUTH_SECRET,
    trustHost: true,
    adapter: withHashedSessions(
      DrizzleAdapter(getDb(), {
        usersTable: users,
        accountsTable: accounts,
        sessionsTable: sessions,
        verificationTokensTable: verificationTokens,
      }),
    ),
    session: { strategy: 'database' },
    pages: { signIn: '/login', verifyRequest: '/login/check-email', error: '/login/error' },
    providers: [
      {
        id: EMAIL_PROVIDER_ID,
        type: 'email',
        name: 'Email',
        from: env.EMAIL_FROM,
        maxAge: MAGIC_LINK_MAX_AGE_SECONDS,
        normalizeIdentifier: (identifier) => identifier.trim().toLowerCase(),
        sendVerificationRequest: ({ identifier, url }) => sendSignInEmail({ to: identifier, url }),
      },
    ],
    callbacks: {
      // Auth.js hands over the callbackUrl of the emailed link, which anyone can edit: only a
      // path of this origin that passes safeCallbackUrl is followed (issue 15, item 1).
      redirect({ url, baseUrl }) {
        return new URL(safeCallbackUrl(sameOriginPath(url, baseUrl), baseUrl), baseUrl).href
      },
      session({ session, user }) {
        session.user.id = user.id
        return session
      },
    },
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => buildConfig())

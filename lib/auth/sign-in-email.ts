import 'server-only'
import { getDb } from '@/lib/data/db'
import { enqueueEmail } from '@/lib/data/outbox/enqueue-email'
import { deliverSoon } from '@/lib/email/delivery'
import { renderSignInEmail } from '@/lib/email/render'
import { getEnv } from '@/lib/env'

/**
 * Queues the magic-link email. The link opens our confirm page rather than the
 * Auth.js callback itself, so a mail scanner that fetches links cannot use up
 * the single-use token: signing in takes a click.
 */
export async function sendSignInEmail({ to, url }: { to: string; url: string }): Promise<void> {
  const env = getEnv()
  const confirmUrl = new URL('/login/confirm', env.APP_URL)
  confirmUrl.searchParams.set('url', url)
  const content = await renderSignInEmail({ url: confirmUrl.href, host: new URL(env.APP_URL).host, expiresInMinutes: 15 })
  const { id } = await enqueueEmail(getDb(), { kind: 'sign-in', to, ...content })
  deliverSoon([id])
}

import type { Metadata } from 'next'
import { MessagePage } from '@/components/layout/message-page'
import { buttonClass } from '@/components/ui/button-class'
import { getEnv } from '@/lib/env'

export const metadata: Metadata = { title: 'Confirm sign-in' }

/** The Auth.js callback this page may forward to, or null for anything else. */
function parseCallback(raw: unknown, appUrl: string) {
  if (typeof raw !== 'string') return null
  try {
    const url = new URL(raw)
    if (url.origin !== new URL(appUrl).origin || url.pathname !== '/api/auth/callback/email') return null
    if (!url.searchParams.get('token') || !url.searchParams.get('email')) return null
    return url
  } catch {
    return null
  }
}

// The emailed link lands here; only the click below uses the single-use token,
// so mail scanners that open links do not sign anyone in or burn the link.
export default async function ConfirmSignInPage({ searchParams }: { searchParams: Promise<{ url?: string }> }) {
  const { url } = await searchParams
  const callback = parseCallback(url, getEnv().APP_URL)
  if (!callback) {
    return (
      <MessagePage
        title="This sign-in link is not valid"
        body="The link may have been cut or changed. Ask for a new one."
        link={{ href: '/login', label: 'Request a new sign-in link' }}
      />
    )
  }
  const email = callback.searchParams.get('email') ?? ''
  return (
    <main id="main" className="mx-auto max-w-md px-6 py-20">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <p className="mt-3 text-slate-700">
        Continue as <strong className="break-all">{email}</strong>.
      </p>
      <form method="get" action={callback.pathname} className="mt-6">
        {[...callback.searchParams.entries()].map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <button type="submit" className={buttonClass('primary', 'w-full')}>
          Sign in
        </button>
      </form>
    </main>
  )
}

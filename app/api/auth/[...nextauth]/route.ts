import type { NextRequest } from 'next/server'
import { handlers } from '@/lib/auth'
import { getEnv } from '@/lib/env'

/**
 * Login CSRF (issue 15, item 4): a page of another site that sends a signed-in browser to the
 * magic-link callback with its own token would swap the victim's session for the attacker's.
 * The only legitimate caller is the same-origin form of /login/confirm, so a browser that says
 * the request comes from elsewhere (Sec-Fetch-Site cross-site or same-site) is turned away
 * before the token is used. Browsers that send no Sec-Fetch-Site (before 2023) pass.
 */
function isFromAnotherSite(request: NextRequest): boolean {
  const site = request.headers.get('sec-fetch-site')
  return site !== null && site !== 'same-origin' && site !== 'none'
}

export async function GET(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith('/api/auth/callback/') && isFromAnotherSite(request)) {
    return Response.redirect(new URL('/login/error?error=CrossSite', getEnv().APP_URL), 303)
  }
  return handlers.GET(request)
}

// Sign-in emails are requested only through the login form's server action,
// which validates the address and applies the rate limits; the raw Auth.js
// endpoint for them is closed.
export async function POST(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith('/api/auth/signin/')) {
    return new Response('Not found', { status: 404 })
  }
  return handlers.POST(request)
}

import { NextResponse, type NextRequest } from 'next/server'
import { contentSecurityPolicy } from '@/lib/csp'

/**
 * A fresh script nonce for every page (issue 15): Next reads it from the request's
 * Content-Security-Policy and puts it on the scripts it renders; the response carries the same
 * policy. Every page is rendered per request already (the root layout), so none loses caching.
 * This does no authorization: the data layer does (README, Reliability and security).
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  const policy = contentSecurityPolicy({ nonce, isDev: process.env.NODE_ENV !== 'production' })
  const requestHeaders = new Headers(request.headers)
  requestHeaders.set('content-security-policy', policy)
  const response = NextResponse.next({ request: { headers: requestHeaders } })
  response.headers.set('content-security-policy', policy)
  return response
}

export const config = {
  // Pages only: API responses, build assets and the icon get the static policy of next.config.ts.
  matcher: ['/((?!api/|_next/static/|_next/image|icon\\.svg$|favicon\\.ico$).*)'],
}

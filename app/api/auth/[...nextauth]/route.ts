import type { NextRequest } from 'next/server'
import { handlers } from '@/lib/auth'

export const GET = handlers.GET

// Sign-in emails are requested only through the login form's server action,
// which validates the address and applies the rate limits; the raw Auth.js
// endpoint for them is closed.
export async function POST(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith('/api/auth/signin/')) {
    return new Response('Not found', { status: 404 })
  }
  return handlers.POST(request)
}

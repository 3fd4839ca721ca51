import 'server-only'
import { getEnv } from '@/lib/env'

/**
 * The name of the session cookie, as Auth.js names it: behind HTTPS (APP_URL, from which AUTH_URL
 * is set) the __Secure- prefix, which browsers accept only with the Secure flag over HTTPS.
 */
export function sessionCookie(): { name: string; isSecure: boolean } {
  const isSecure = getEnv().APP_URL.startsWith('https://')
  return { name: isSecure ? '__Secure-authjs.session-token' : 'authjs.session-token', isSecure }
}

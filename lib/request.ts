import 'server-only'

/**
 * The client address for rate limits: the first X-Forwarded-For hop set by the
 * load balancer in front of the app, else X-Real-IP. Deployments must make the
 * proxy overwrite these headers (README, deployment).
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim()
  const ip = forwarded || headers.get('x-real-ip')?.trim() || 'unknown'
  return ip.slice(0, 64)
}

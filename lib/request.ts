import 'server-only'

/**
 * The client address for rate limits: the X-Forwarded-For entry written by the outermost
 * trusted proxy, the `trustedHops`-th from the right. Each proxy appends the address it was
 * reached from, so everything left of that entry is whatever the client sent (issue 15, item 3).
 * `next start` fills the header from the socket only when it is absent, so with no proxy in
 * front the header is the client's own. Null when no proxy is trusted (0): no address is known.
 */
export function clientIp(headers: Headers, trustedHops: number): string | null {
  if (trustedHops < 1) return null
  const entries = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 0) return null
  // Fewer entries than trusted proxies: the request did not pass through all of them, and the
  // leftmost entry is the furthest address known.
  return entries[Math.max(0, entries.length - trustedHops)].slice(0, 64)
}

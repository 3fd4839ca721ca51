/**
 * The path to return to after signing in, or the fallback when `input` is not
 * a same-origin path. Refuses absolute URLs, protocol-relative `//x` and the
 * `/\x` form that browsers read as `//x`.
 */
export function safeCallbackUrl(input: unknown, appUrl: string, fallback = '/dashboard'): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > 2048) return fallback
  if (!input.startsWith('/') || input.startsWith('//') || input.startsWith('/\\')) return fallback
  if (/[\u0000-\u001f\\]/.test(input)) return fallback
  try {
    const base = new URL(appUrl)
    const url = new URL(input, base)
    if (url.origin !== base.origin) return fallback
    return `${url.pathname}${url.search}${url.hash}`
  } catch {
    return fallback
  }
}

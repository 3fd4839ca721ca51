const MAX_LENGTH = 2048

/**
 * Whether a browser reads `path` as a path on the current origin: one leading slash, not
 * followed by another slash or a backslash (`//x` and `/\x` are other hosts), and no
 * backslash or control character anywhere (browsers turn `\` into `/` and drop tabs and
 * newlines, so those could form `//` after the check).
 */
function isPlainPath(path: string): boolean {
  return path.startsWith('/') && !/^\/[/\\]/.test(path) && !/[\u0000-\u001f\u007f\\]/.test(path)
}

/**
 * The path to return to after signing in, or the fallback when `input` is not a same-origin
 * path. Both the input and its URL-normalised form are checked: normalising removes dot
 * segments, so `/.//evil.example`, `/a/..//x` and `/%2e//x` become `//…` (issue 15, item 1).
 */
export function safeCallbackUrl(input: unknown, appUrl: string, fallback = '/dashboard'): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_LENGTH || !isPlainPath(input)) return fallback
  try {
    const base = new URL(appUrl)
    const url = new URL(input, base)
    if (url.origin !== base.origin) return fallback
    const path = `${url.pathname}${url.search}${url.hash}`
    // What is returned must itself be a plain path that resolves to this origin unchanged.
    if (!isPlainPath(path) || path.length > MAX_LENGTH) return fallback
    const again = new URL(path, base)
    if (again.origin !== base.origin || `${again.pathname}${again.search}${again.hash}` !== path) return fallback
    return path
  } catch {
    return fallback
  }
}

/**
 * The Content-Security-Policy of every page. Scripts run only with this response's nonce
 * (Next puts it on its own scripts, inline ones included, when the request carries the
 * policy: proxy.ts); 'strict-dynamic' lets those scripts load the chunks they import.
 * Styles keep 'unsafe-inline': React renders style attributes, which a nonce cannot cover.
 */
export function contentSecurityPolicy({ nonce, isDev }: { nonce: string; isDev: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${isDev ? ' ws:' : ''}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ')
}

/** For responses that are not pages (API, static files): nothing may run or embed them. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

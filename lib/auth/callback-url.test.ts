import { describe, expect, it } from 'vitest'
import { safeCallbackUrl } from './callback-url'

const app = 'https://app.example.com'

describe('safeCallbackUrl', () => {
  it('keeps a same-origin path with its query and hash', () => {
    expect(safeCallbackUrl('/orgs/acme/members?page=2#x', app)).toBe('/orgs/acme/members?page=2#x')
  })

  it.each([
    ['absolute URL', 'https://evil.example/steal'],
    ['same host absolute URL', 'https://app.example.com/dashboard'],
    ['protocol-relative', '//evil.example'],
    ['backslash form', '/\\evil.example'],
    ['encoded backslash kept literal', '/\\/evil.example'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['relative without slash', 'dashboard'],
    ['control characters', '/\tevil'],
    ['empty', ''],
    ['not a string', ['/dashboard']],
  ])('refuses %s', (_label, input) => {
    expect(safeCallbackUrl(input, app)).toBe('/dashboard')
  })

  // Issue 15, item 1: each of these was returned as `//…` (another host) once normalised.
  it.each([
    ['dot segment', '/.//evil.example'],
    ['dot-dot at the root', '/..//x'],
    ['dot-dot after a segment', '/a/..//x'],
    ['encoded dot', '/%2e//x'],
    ['encoded dot, upper case', '/%2E//x'],
    ['encoded dot-dot', '/a/%2e%2e//x'],
    ['mixed encoded dot-dot', '/a/.%2E//x'],
    ['dot segments then a backslash', '/a/../\\evil.example'],
    ['dot segment then a backslash', '/./\\evil.example'],
    ['tab between the slashes', '/\t/evil.example'],
    ['tab after a dot segment', '/.\t//evil.example'],
    ['newline between the slashes', '/\n/evil.example'],
    ['DEL character', '/\u007f/evil.example'],
    ['three slashes', '///evil.example'],
  ])('refuses %s once normalised', (_label, input) => {
    expect(safeCallbackUrl(input, app)).toBe('/dashboard')
  })

  it.each([
    // Encoded twice, the dot and the slashes are literal text of one path segment: the browser stays here.
    ['double-encoded dot', '/%252e//x', '/%252e//x'],
    ['double-encoded slashes', '/%252F%252Fevil.example', '/%252F%252Fevil.example'],
    ['encoded slashes', '/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['dot segments inside the path', '/orgs/./acme/../acme/members', '/orgs/acme/members'],
    ['double slash later in the path', '/orgs//acme', '/orgs//acme'],
  ])('keeps %s on this origin', (_label, input, expected) => {
    const result = safeCallbackUrl(input, app)
    expect(result).toBe(expected)
    expect(new URL(result, app).origin).toBe(app)
  })

  it('uses the given fallback', () => {
    expect(safeCallbackUrl('//x', app, '/login')).toBe('/login')
  })
})

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

  it('uses the given fallback', () => {
    expect(safeCallbackUrl('//x', app, '/login')).toBe('/login')
  })
})

import { describe, expect, it } from 'vitest'
import { clientIp } from './request'

const withForwarded = (value: string) => new Headers({ 'x-forwarded-for': value })

describe('clientIp (issue 15, item 3)', () => {
  it('behind one appending proxy, counts a chain of client-written hops against the entry the proxy added', () => {
    expect(clientIp(withForwarded('1.1.1.1, 2.2.2.2, 3.3.3.3, 203.0.113.7'), 1)).toBe('203.0.113.7')
    expect(clientIp(withForwarded('anything'), 1)).toBe('anything')
  })

  it('behind two proxies (a CDN and a load balancer), takes the second entry from the right', () => {
    expect(clientIp(withForwarded('spoofed, 198.51.100.4, 10.0.0.2'), 2)).toBe('198.51.100.4')
  })

  it('reads several X-Forwarded-For headers as one list, and ignores empty entries a client wrote', () => {
    const headers = new Headers()
    headers.append('x-forwarded-for', 'spoofed, , ')
    headers.append('x-forwarded-for', '203.0.113.7')
    expect(clientIp(headers, 1)).toBe('203.0.113.7')
  })

  it('with fewer entries than trusted proxies, takes the leftmost', () => {
    expect(clientIp(withForwarded('203.0.113.7'), 2)).toBe('203.0.113.7')
  })

  it('trusts no header with 0 proxies, and knows no address without one', () => {
    expect(clientIp(withForwarded('203.0.113.7'), 0)).toBeNull()
    expect(clientIp(new Headers({ 'x-real-ip': '203.0.113.7' }), 1)).toBeNull()
  })

  it('keeps keys short whatever the client sends', () => {
    expect(clientIp(withForwarded('x'.repeat(500)), 1)).toHaveLength(64)
  })
})

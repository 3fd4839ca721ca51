import { describe, expect, it } from 'vitest'
import { EnvError, parseEnv } from './env'

const production = { NODE_ENV: 'production', AUTH_SECRET: 'x'.repeat(32), RESEND_API_KEY: 're_test' }

describe('parseEnv', () => {
  it('takes the defaults when nothing is set (PGlite in its default folder, seven-day invitations)', () => {
    const env = parseEnv({ NODE_ENV: 'test', AUTH_SECRET: 'y'.repeat(32) })
    expect(env).toMatchObject({ INVITATION_TTL_DAYS: 7, APP_URL: 'http://localhost:3000', isDevMailbox: true })
    expect(env.DATABASE_URL).toBeUndefined()
    expect(env.PGLITE_DIR).toBeUndefined()
  })

  it('names every bad variable in one message', () => {
    let message = ''
    try {
      parseEnv({ ...production, DATABASE_URL: 'mysql://x', TRUSTED_PROXY_HOPS: 'two', INVITATION_TTL_DAYS: 'soon' })
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError)
      message = (err as Error).message
    }
    expect(message).toContain('DATABASE_URL must be a postgres:// or postgresql:// URL')
    expect(message).toContain('TRUSTED_PROXY_HOPS must be the number of proxies')
    expect(message).toContain('INVITATION_TTL_DAYS')
  })

  it('takes the PGlite folder from PGLITE_DIR (the e2e runs give each server its own)', () => {
    expect(parseEnv({ ...production, PGLITE_DIR: '/tmp/pglite-x' }).PGLITE_DIR).toBe('/tmp/pglite-x')
    expect(parseEnv({ ...production, PGLITE_DIR: '' }).PGLITE_DIR).toBeUndefined()
  })

  it('trusts one proxy by default; takes 0 to 10, and refuses anything else with a message naming the variable', () => {
    expect(parseEnv(production)).toMatchObject({ TRUSTED_PROXY_HOPS: 1 })
    expect(parseEnv(production).SIGN_IN_GLOBAL_LIMIT).toBeUndefined()
    expect(parseEnv({ ...production, TRUSTED_PROXY_HOPS: '0', SIGN_IN_GLOBAL_LIMIT: '1000' })).toMatchObject({ TRUSTED_PROXY_HOPS: 0, SIGN_IN_GLOBAL_LIMIT: 1000 })
    for (const bad of ['-1', '11', '1.5', 'two']) expect(() => parseEnv({ ...production, TRUSTED_PROXY_HOPS: bad })).toThrow(/TRUSTED_PROXY_HOPS/)
    expect(() => parseEnv({ ...production, SIGN_IN_GLOBAL_LIMIT: '0' })).toThrow(/SIGN_IN_GLOBAL_LIMIT must be at least 1/)
  })

  it('refuses production without a secret or an email provider', () => {
    expect(() => parseEnv({ ...production, AUTH_SECRET: '' })).toThrow(/AUTH_SECRET is required in production/)
    expect(() => parseEnv({ ...production, RESEND_API_KEY: '' })).toThrow(/RESEND_API_KEY is required in production/)
  })
})

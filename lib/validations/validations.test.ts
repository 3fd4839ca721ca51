import { describe, expect, it } from 'vitest'
import { signInSchema } from './auth'
import { createOrganizationSchema, slugify } from './organization'

describe('signInSchema', () => {
  it('normalizes the email', () => {
    expect(signInSchema.parse({ email: '  Ada@Example.COM ' }).email).toBe('ada@example.com')
  })
  it.each(['', '   ', 'ada', 'ada@', '@example.com', 'a b@example.com', 'ada@example', 'ada@exa\nmple.com', 'x'.repeat(250) + '@example.com'])(
    'refuses %j',
    (email) => {
      const result = signInSchema.safeParse({ email })
      expect(result.success).toBe(false)
    },
  )
  it('refuses a missing email with a message', () => {
    const result = signInSchema.safeParse({})
    expect(result.success).toBe(false)
    expect(result.error?.issues[0].message).toBe('Enter your email address.')
  })
})

describe('createOrganizationSchema', () => {
  it('trims and collapses spaces', () => {
    expect(createOrganizationSchema.parse({ name: '  Acme   Inc  ' }).name).toBe('Acme Inc')
  })
  it.each([
    ['empty', ''],
    ['only spaces', '    '],
    ['too long', 'a'.repeat(81)],
    ['control characters', 'Acme\u0007'],
  ])('refuses a name that is %s', (_label, name) => {
    expect(createOrganizationSchema.safeParse({ name }).success).toBe(false)
  })
  it('accepts 80 characters', () => {
    expect(createOrganizationSchema.safeParse({ name: 'a'.repeat(80) }).success).toBe(true)
  })
})

describe('slugify', () => {
  it.each([
    ['Acme Inc.', 'acme-inc'],
    ['Ça va très bien', 'ca-va-tres-bien'],
    ['  --Hello--World-- ', 'hello-world'],
    ['東京', 'org'],
    ['<script>', 'script'],
  ])('%j → %j', (name, slug) => {
    expect(slugify(name)).toBe(slug)
  })
})

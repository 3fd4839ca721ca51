// Issue 15, item 5: invisible and lookalike characters in addresses and names.
import { describe, expect, it } from 'vitest'
import { emailField, isValidEmail } from './common'
import { lookalikeTarget, skeleton } from './lookalike'
import { createOrganizationSchema } from './organization'
import { createProjectSchema } from './project'
import { renameProjectSchema } from './project-access'

const FORMAT_CHARACTERS = [
  ['U+200B zero-width space', '\u200b'],
  ['U+202E right-to-left override', '\u202e'],
  ['U+200D zero-width joiner', '\u200d'],
  ['U+2060 word joiner', '\u2060'],
  ['U+00AD soft hyphen', '\u00ad'],
  ['U+FEFF byte order mark', '\ufeff'],
  ['U+2066 left-to-right isolate', '\u2066'],
] as const

describe('addresses', () => {
  it.each(FORMAT_CHARACTERS)('refuses one holding a format character (%s), with its own message', (_label, c) => {
    expect(isValidEmail(`ada${c}@example.com`)).toBe(false)
    const r = emailField.safeParse(`ada${c}@example.com`)
    expect(r.success).toBe(false)
    expect(r.error?.issues[0].message).toBe('The address contains an invisible character (such as a zero-width space). Type it again.')
  })

  it('refuses fullwidth letters and other compatibility forms instead of rewriting them', () => {
    for (const address of ['ａda@example.com', 'ada＠example.com', 'ada@example．com', 'ﬁnn@example.com', 'ada@ex²ample.com']) {
      expect(isValidEmail(address), address).toBe(false)
      const r = emailField.safeParse(address)
      expect(r.error?.issues[0].message, address).toBe('The address contains fullwidth or other special forms of letters. Type it with ordinary letters.')
    }
  })

  it('accepts Cyrillic and Greek addresses, which are real addresses, and says what they read as', () => {
    for (const address of ['иван@пример.рф', 'аlice@example.com', 'αlice@example.com', 'josé@example.com']) expect(isValidEmail(address), address).toBe(true)
    expect(lookalikeTarget('аlice@example.com')).toBe('alice@example.com') // Cyrillic а
    expect(lookalikeTarget('pаypаl@exаmple.com')).toBe('paypal@example.com')
    expect(lookalikeTarget('αlice@example.com')).toBe('alice@example.com') // Greek α
    expect(lookalikeTarget('ѕсоtt@example.com')).toBe('scott@example.com')
    // Plain ASCII reads as itself, and accented letters are told apart.
    expect(lookalikeTarget('alice@example.com')).toBeNull()
    expect(lookalikeTarget('josé@example.com')).toBeNull()
    // Case folded; the Cyrillic а reads as a Latin a, the other letters as themselves.
    expect(skeleton('Иван')).toBe('ив\u0061н')
  })
})

describe('names', () => {
  const message = 'The name cannot contain invisible formatting characters (such as zero-width spaces or text direction marks).'

  it.each(FORMAT_CHARACTERS)('refuses an organization or project name holding %s, with a field message', (_label, c) => {
    for (const [schema, input] of [
      [createOrganizationSchema, { name: `Acme${c}Corp` }],
      [createProjectSchema, { slug: 'acme', name: `Web${c}site` }],
      [renameProjectSchema, { slug: 'acme', projectId: '6f1c1d3e-8a7b-4c1d-9e2f-0a1b2c3d4e5f', name: `Web${c}site` }],
    ] as const) {
      const r = schema.safeParse(input)
      expect(r.success).toBe(false)
      expect(r.error?.issues.find((i) => i.path[0] === 'name')?.message).toBe(message)
    }
  })

  it('normalises names with NFKC: fullwidth letters and compatibility spaces become plain ones', () => {
    expect(createOrganizationSchema.parse({ name: 'Ａｃｍｅ\u3000Ｉｎｃ' }).name).toBe('Acme Inc')
    expect(createProjectSchema.parse({ slug: 'acme', name: 'ﬁnance\u00a0ops' }).name).toBe('finance ops')
    expect(createOrganizationSchema.parse({ name: 'Cafe\u0301' }).name).toBe('Café')
  })
})

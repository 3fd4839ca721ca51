import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { formToObject } from '@/lib/actions/run-action'
import { invitationIdSchema, inviteSchema, isWellFormedToken, parseEmailList, respondSchema, tokenSchema } from './invitation'

const P1 = '6f1c1d3e-8a7b-4c1d-9e2f-0a1b2c3d4e5f'
const P2 = '7a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d'
const base = { slug: 'acme', emails: 'ada@example.com', role: 'member' }

function messagesFor(input: unknown, field: string) {
  const r = inviteSchema.safeParse(input)
  expect(r.success).toBe(false)
  return r.error!.issues.filter((i) => i.path[0] === field).map((i) => i.message)
}

describe('parseEmailList', () => {
  it('splits on commas, semicolons, spaces and newlines, normalizes and de-duplicates', () => {
    expect(parseEmailList(' Ada@Example.com, bob@example.com;carol@example.com\n\r\ndan@example.com\tada@example.com ,, ')).toEqual([
      'ada@example.com',
      'bob@example.com',
      'carol@example.com',
      'dan@example.com',
    ])
  })
})

describe('inviteSchema', () => {
  it('parses a form as the wrapper hands it over', () => {
    const fd = new FormData()
    fd.set('slug', 'acme')
    fd.set('emails', 'Ada@Example.com, not-an-email')
    fd.set('role', 'admin')
    fd.append('permissions[]', 'members:read')
    fd.append('permissions[]', 'members:invite')
    fd.append('projects[]', `${P1}:edit`)
    fd.append('projects[]', `${P2.toUpperCase()}:view`)
    expect(inviteSchema.parse(formToObject(fd))).toEqual({
      slug: 'acme',
      emails: ['ada@example.com', 'not-an-email'],
      role: 'admin',
      permissions: ['members:read', 'members:invite'],
      projects: [
        { projectId: P1, level: 'edit' },
        { projectId: P2, level: 'view' },
      ],
    })
  })

  it('defaults missing permissions and projects to none, and takes a single value', () => {
    expect(inviteSchema.parse(base)).toMatchObject({ permissions: [], projects: [] })
    expect(inviteSchema.parse({ ...base, permissions: 'members:read', projects: `${P1}:admin` })).toMatchObject({
      permissions: ['members:read'],
      projects: [{ projectId: P1, level: 'admin' }],
    })
  })

  it('keeps invalid addresses for the data layer to report', () => {
    expect(inviteSchema.parse({ ...base, emails: 'ada@example.com nope' }).emails).toEqual(['ada@example.com', 'nope'])
  })

  it('needs at least one address', () => {
    expect(messagesFor({ ...base, emails: ' , ;\n ' }, 'emails')).toEqual(['Enter at least one email address.'])
    expect(messagesFor({ ...base, emails: undefined }, 'emails')).toEqual(['Enter at least one email address.'])
  })

  it('takes at most 50 distinct addresses', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `u${i}@example.com`)
    expect(inviteSchema.parse({ ...base, emails: [...fifty, ...fifty].join(',') }).emails).toHaveLength(50)
    expect(messagesFor({ ...base, emails: [...fifty, 'x@example.com'].join(',') }, 'emails')).toEqual(['Invite at most 50 addresses at once.'])
  })

  it('needs a role of admin or member', () => {
    expect(messagesFor({ ...base, role: 'owner' }, 'role')).toEqual(['Choose a role.'])
    expect(messagesFor({ ...base, role: undefined }, 'role')).toEqual(['Choose a role.'])
  })

  it('refuses unknown permissions and de-duplicates known ones', () => {
    expect(inviteSchema.safeParse({ ...base, permissions: ['members:read', 'org:delete'] }).success).toBe(false)
    expect(inviteSchema.parse({ ...base, permissions: ['members:read', 'members:read'] }).permissions).toEqual(['members:read'])
  })

  it('refuses malformed project grants', () => {
    for (const bad of ['nope', `${P1}:owner`, `${P1}`, ':view', `${P1.slice(0, 35)}x:view`]) {
      expect(inviteSchema.safeParse({ ...base, projects: [bad] }).success, bad).toBe(false)
    }
  })

  it('drops "no access" entries and keeps the highest level of a repeated project', () => {
    expect(inviteSchema.parse({ ...base, projects: [`${P1}:view`, `${P1}:admin`, `${P1}:edit`, `${P2}:none`, `${P2}:`] }).projects).toEqual([
      { projectId: P1, level: 'admin' },
    ])
  })
})

describe('id and token schemas', () => {
  it('take uuids only', () => {
    expect(invitationIdSchema.safeParse({ slug: 'acme', invitationId: P1 }).success).toBe(true)
    expect(invitationIdSchema.safeParse({ slug: 'acme', invitationId: 'x' }).success).toBe(false)
    expect(respondSchema.safeParse({ invitationId: P1 }).success).toBe(true)
    expect(respondSchema.safeParse({ invitationId: `${P1}' or 1=1` }).success).toBe(false)
    expect(respondSchema.safeParse({}).success).toBe(false)
  })

  it('takes a token of 32 bytes in base64url', () => {
    for (let i = 0; i < 50; i++) {
      const token = randomBytes(32).toString('base64url')
      expect(isWellFormedToken(token)).toBe(true)
      expect(tokenSchema.safeParse({ token }).success).toBe(true)
    }
    const good = randomBytes(32).toString('base64url')
    for (const bad of ['', good.slice(0, 42), good + 'A', good.slice(0, 42) + '+', good.slice(0, 42) + 'B', randomBytes(32).toString('base64'), undefined, 42]) {
      expect(isWellFormedToken(bad), String(bad)).toBe(false)
    }
  })
})

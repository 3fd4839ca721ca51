import { describe, expect, it } from 'vitest'
import { auditFilterSchema, memberAccessSchema, memberTargetSchema, seatLimitSchema } from './member'
import { projectAccessSchema, renameProjectSchema } from './project-access'
import { previousAccessSchema, updateInvitationSchema } from './invitation-edit'

const id = '6f1c1a52-8d5e-4c1e-9a55-0d7c1b2a3e4f'

describe('memberAccessSchema', () => {
  it('takes one checkbox, several, or none, known keys only, in a stable order', () => {
    expect(memberAccessSchema.parse({ slug: 'acme', userId: id, role: 'member', permissions: 'members:read' }).permissions).toEqual(['members:read'])
    expect(memberAccessSchema.parse({ slug: 'acme', userId: id, role: 'member', permissions: ['projects:create', 'members:read', 'members:read'] }).permissions).toEqual([
      'members:read',
      'projects:create',
    ])
    expect(memberAccessSchema.parse({ slug: 'acme', userId: id, role: 'admin' }).permissions).toEqual([])
  })
  it.each([
    ['an owner role', { role: 'owner', permissions: [] }],
    ['an unknown permission', { role: 'member', permissions: ['billing:all'] }],
    ['a malformed user id', { role: 'member', userId: 'abc' }],
  ])('refuses %s', (_label, fields) => {
    expect(memberAccessSchema.safeParse({ slug: 'acme', userId: id, ...fields }).success).toBe(false)
  })
  it('needs a user id for remove and make-owner', () => {
    expect(memberTargetSchema.safeParse({ slug: 'acme' }).success).toBe(false)
  })
})

describe('seatLimitSchema', () => {
  it.each([
    ['', null],
    ['  ', null],
    ['12', 12],
    [' 7 ', 7],
  ])('%j → %j', (input, out) => {
    expect(seatLimitSchema.parse({ slug: 'acme', seatLimit: input }).seatLimit).toBe(out)
  })
  it.each(['0', '-1', '2.5', 'ten', '100001'])('refuses %j', (input) => {
    expect(seatLimitSchema.safeParse({ slug: 'acme', seatLimit: input }).success).toBe(false)
  })
})

describe('projectAccessSchema and renameProjectSchema', () => {
  it('maps "none" to removing access', () => {
    expect(projectAccessSchema.parse({ slug: 'a', projectId: id, userId: id, level: 'none' }).level).toBeNull()
    expect(projectAccessSchema.parse({ slug: 'a', projectId: id, userId: id, level: 'edit' }).level).toBe('edit')
    expect(projectAccessSchema.safeParse({ slug: 'a', projectId: id, userId: id, level: 'owner' }).success).toBe(false)
  })
  it('trims names and refuses empty ones', () => {
    expect(renameProjectSchema.parse({ slug: 'a', projectId: id, name: '  New   name ' }).name).toBe('New name')
    expect(renameProjectSchema.safeParse({ slug: 'a', projectId: id, name: '   ' }).success).toBe(false)
  })
})

describe('updateInvitationSchema and previousAccessSchema', () => {
  it('parses the invite form without addresses', () => {
    const parsed = updateInvitationSchema.parse({ slug: 'a', invitationId: id, role: 'member', permissions: ['members:read'], projects: [`${id}:view`, `${id}:edit`] })
    expect(parsed).toMatchObject({ invitationId: id, permissions: ['members:read'], projects: [{ projectId: id, level: 'edit' }] })
    expect(updateInvitationSchema.safeParse({ slug: 'a', invitationId: 'x', role: 'member' }).success).toBe(false)
  })
  it('normalizes the address', () => {
    expect(previousAccessSchema.parse({ slug: 'a', email: ' Ada@Example.com ' }).email).toBe('ada@example.com')
  })
})

describe('auditFilterSchema', () => {
  it('drops a malformed filter rather than failing the page', () => {
    expect(auditFilterSchema.parse({ action: 'member.removed' }).action).toBe('member.removed')
    expect(auditFilterSchema.parse({ action: "x'; drop" }).action).toBeUndefined()
  })
})

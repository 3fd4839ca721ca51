import { describe, expect, it } from 'vitest'
import { renderInvitationEmail } from './render'
import type { InvitationEmailProps } from './templates/invitation-email'

const withoutComments = (html: string) => html.replaceAll('<!-- -->', '')

const props: InvitationEmailProps = {
  orgName: 'Acme Rockets',
  inviterName: 'Ada Lovelace',
  inviterEmail: 'ada@example.com',
  role: 'member',
  permissionLabels: ['View members', 'Invite members'],
  projectGrants: [{ name: 'Apollo', level: 'edit' }],
  url: 'https://app.example.com/invitations/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdE',
  expiresAt: new Date('2030-03-05T14:03:00Z'),
}

describe('renderInvitationEmail', () => {
  it('names the inviter and organization in the subject', async () => {
    const email = await renderInvitationEmail(props)
    expect(email.subject).toBe('Ada Lovelace invited you to join Acme Rockets')
    expect((await renderInvitationEmail({ ...props, inviterName: null })).subject).toBe('ada@example.com invited you to join Acme Rockets')
    expect((await renderInvitationEmail({ ...props, inviterName: '  ' })).subject).toBe('ada@example.com invited you to join Acme Rockets')
  })

  it('puts the link, the expiry, the permissions and the projects in both parts', async () => {
    const email = await renderInvitationEmail(props)
    const html = withoutComments(email.html)
    expect(html).toContain(`href="${props.url}"`)
    expect(email.text.split('\n')).toContain(props.url)
    for (const part of [html, email.text]) {
      expect(part).toContain('March 5, 2030')
      expect(part).toContain('14:03 UTC')
      expect(part).toContain('Ada Lovelace (ada@example.com) invited you to join the organization')
      expect(part).toContain('View members, Invite members')
      expect(part).toContain('Apollo (Edit)')
    }
  })

  it('says an admin gets every permission, and a member with none gets none yet', async () => {
    expect((await renderInvitationEmail({ ...props, role: 'admin', permissionLabels: [] })).text).toContain('as an Admin')
    expect((await renderInvitationEmail({ ...props, role: 'admin', permissionLabels: [] })).text).toContain('Permissions: all organization permissions')
    const none = await renderInvitationEmail({ ...props, permissionLabels: [], projectGrants: [] })
    expect(none.text).toContain('Permissions: none yet')
    expect(none.text).not.toContain('Project access')
  })

  it('has a button that says what it does, a footer naming the product, and a viewport for phones (issue 14)', async () => {
    const email = await renderInvitationEmail(props)
    const html = withoutComments(email.html)
    const button = html.match(/<a\b[^>]*href="[^"]*"[^>]*>([\s\S]*?)<\/a>/)
    expect(button?.[1]).toMatch(/Join Acme Rockets/)
    expect(html).not.toContain('View invitation')
    expect(html).toContain('Sent by Cloud Dashboard')
    expect(html).not.toContain('Sent by app.example.com')
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1"\/?>/)
    expect(email.text.split('\n')[0]).toBe('Join Acme Rockets on Cloud Dashboard')
  })

  it('escapes HTML in every name', async () => {
    const email = await renderInvitationEmail({
      ...props,
      orgName: '<script>alert(1)</script>',
      inviterName: '<img src=x onerror=alert(1)>',
      projectGrants: [{ name: '<b>bold</b>', level: 'view' }],
    })
    expect(email.html).not.toContain('<script>')
    expect(email.html).not.toContain('<img')
    expect(email.html).not.toContain('<b>')
    expect(email.html).toContain('&lt;script&gt;')
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('keeps CR/LF in names out of the subject and the text lines', async () => {
    const email = await renderInvitationEmail({
      ...props,
      orgName: 'Acme\r\nBcc: victim@example.com',
      inviterName: 'Eve\n\n\tMallory',
    })
    expect(email.subject).toBe('Eve Mallory invited you to join Acme Bcc: victim@example.com')
    expect(email.subject).not.toMatch(/[\r\n]/)
    expect(email.text.split('\n')).not.toContain('Bcc: victim@example.com')
  })
})

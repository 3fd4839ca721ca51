import { render } from '@react-email/render'
import { describe, expect, it } from 'vitest'
import { renderSignInEmail } from './render'
import { EmailLayout } from './templates/layout'

// React separates adjacent text nodes with empty comments.
const withoutComments = (html: string) => html.replaceAll('<!-- -->', '')

describe('renderSignInEmail', () => {
  const url = 'https://app.example.com/api/auth/callback/resend?token=abc123&email=ana%40example.com'

  it('puts the link in both parts, says it works once and when it expires', async () => {
    const email = await renderSignInEmail({ url, host: 'app.example.com', expiresInMinutes: 15 })
    expect(email.subject).toBe('Sign in to app.example.com')
    // React escapes & in attributes; the link must survive as a real href.
    expect(email.html).toContain(`href="${url.replaceAll('&', '&amp;')}"`)
    expect(email.html).toContain('Sign in</')
    expect(email.text).toContain(url)
    expect(email.text.split('\n')).toContain(url)
    for (const part of [withoutComments(email.html), email.text]) {
      expect(part).toContain('works once and expires in 15 minutes')
      expect(part).toContain('you can ignore this email')
    }
  })

  it('escapes interpolated values in the HTML', async () => {
    const host = '<b>"x"</b>'
    const email = await renderSignInEmail({ url: 'https://app.example.com/x?a="1"', host, expiresInMinutes: 10 })
    expect(email.html).not.toContain('<b>')
    expect(email.html).toContain('&lt;b&gt;')
    expect(email.html).not.toContain('a="1"')
    expect(email.subject).toBe(`Sign in to ${host}`)
  })

  it('shares a layout another email can reuse', async () => {
    const html = await render(
      <EmailLayout preview="An invitation">
        <p>Body of another email</p>
      </EmailLayout>,
    )
    expect(html).toContain('Body of another email')
    expect(withoutComments(html)).toContain('Sent by Cloud Dashboard')
  })
})

import { expect, test } from '@playwright/test'
import { createOrganization, emailsTo, newUserPage, signIn, uniqueEmail, waitForEmail } from './helpers'

const fakeResend = () => process.env.FAKE_RESEND_URL ?? 'http://127.0.0.1:3199'

test.describe('security properties in production', () => {
  test('pages carry the security headers; the session cookie is HttpOnly and SameSite=Lax', async ({ browser }) => {
    const page = await newUserPage(browser)
    const response = await page.goto('/login')
    const headers = response!.headers()
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(headers['content-security-policy']).toContain("default-src 'self'")
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['x-frame-options']).toBe('DENY')
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin')
    expect(headers['x-powered-by']).toBeUndefined()

    await signIn(page, uniqueEmail('cookie'))
    const session = (await page.context().cookies()).find((c) => c.name.endsWith('authjs.session-token'))
    expect(session).toBeDefined()
    expect(session!.httpOnly).toBe(true)
    expect(session!.sameSite).toBe('Lax')
  })

  test('unknown and malformed invitation tokens get one identical answer, with no referrer', async ({ request }) => {
    const unknownToken = `${'A'.repeat(42)}A`
    const malformedToken = 'not-a-token'
    const unknown = await request.get(`/invitations/${unknownToken}`)
    const malformed = await request.get(`/invitations/${malformedToken}`)
    expect(unknown.status()).toBe(404)
    expect(malformed.status()).toBe(404)
    expect(unknown.headers()['referrer-policy']).toBe('no-referrer')
    // The same page once each token and each response's script nonce are taken out of it; only the
    // order in which the streamed chunks arrive may differ, so compare the sorted lines of the payload.
    const nonceOf = (headers: Record<string, string>) => headers['content-security-policy'].match(/'nonce-([^']+)'/)![1]
    const normalize = (html: string, token: string, nonce: string) => html.replaceAll(token, 'T').replaceAll(nonce, 'N').split(/\\n|\n/).sort()
    const [a, b] = [
      normalize(await unknown.text(), unknownToken, nonceOf(unknown.headers())),
      normalize(await malformed.text(), malformedToken, nonceOf(malformed.headers())),
    ]
    expect(a.join('\n')).toContain('This invitation link is not valid')
    expect(a).toEqual(b)
  })

  test('the sign-in endpoint of Auth.js is closed to direct posts; the form is the only way in', async ({ request }) => {
    const email = uniqueEmail('direct')
    const response = await request.post('/api/auth/signin/email', { form: { email }, maxRedirects: 0 })
    expect(response.status()).toBe(404)
    expect(await emailsTo(email)).toEqual([])
  })

  test('a failed delivery shows on the invitation, and Resend sends it again', async ({ browser }) => {
    const owner = await newUserPage(browser)
    await signIn(owner, uniqueEmail('owner'))
    const slug = await createOrganization(owner, `Delivery Org ${Date.now()}`)
    await owner.goto(`/orgs/${slug}/members`)
    const invitee = uniqueEmail('bounced')
    // The provider refuses the next email outright (not retryable): the row fails at once.
    await fetch(`${fakeResend()}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 422, times: 1, onlyTo: invitee }) })
    await owner.getByRole('button', { name: 'Invite Member' }).click()
    const dialog = owner.getByRole('dialog', { name: 'Invite Member' })
    await dialog.getByLabel('Email address').fill(invitee)
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText(`${invitee}: invited`)).toBeVisible()
    await dialog.getByRole('button', { name: 'Close' }).click()
    const row = owner.getByRole('row').filter({ hasText: invitee })
    await expect(async () => {
      await owner.reload()
      await expect(row.getByText('Delivery failed')).toBeVisible({ timeout: 1_000 })
    }).toPass({ timeout: 15_000 })
    expect(await emailsTo(invitee)).toEqual([])

    await owner.waitForTimeout(2_100) // the suite's resend cooldown
    await row.getByRole('button', { name: `Resend invitation to ${invitee}` }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Invitation sent again with a new link.' })).toBeVisible()
    await waitForEmail(invitee, /invited you to join/)
    await owner.reload()
    await expect(owner.getByRole('row').filter({ hasText: invitee }).getByText('Pending')).toBeVisible()
  })
})

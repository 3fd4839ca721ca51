// Issue 15 ("Hostile input, round two"), items 1, 3 and 4, and the nonce Content-Security-Policy,
// against the production build.
import { randomBytes } from 'node:crypto'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { createOrganization, expectAccessible, linkIn, newUserPage, signIn, uniqueEmail, waitForEmail } from './helpers'

/** Asks for a sign-in email from the form and returns the Auth.js callback URL its link carries. */
async function magicLinkCallback(page: Page, email: string): Promise<URL> {
  await page.goto('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByRole('button', { name: 'Sign in with email' }).click()
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible()
  const confirm = new URL(linkIn(await waitForEmail(email, /^Sign in/), /https?:\/\/\S+\/login\/confirm\?\S+/))
  return new URL(confirm.searchParams.get('url')!)
}

const sessionCookie = async (page: Page) => (await page.context().cookies()).find((c) => c.name.endsWith('authjs.session-token'))?.value

/** A context whose requests arrive as through one appending proxy: `chain` written by the client, then the proxy's entry. */
async function behindProxy(browser: Browser, chain: string, proxyEntry: string): Promise<Page> {
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': `${chain}, ${proxyEntry}` } })
  return context.newPage()
}

test.describe('open redirect (item 1)', () => {
  const hostile = ['/.//evil.example', '/..//evil.example', '/a/..//evil.example', '/%2e//evil.example']

  test('the login page redirects a signed-in user only within the app, whatever the callbackUrl', async ({ browser }) => {
    const page = await newUserPage(browser)
    await signIn(page, uniqueEmail('redirect-login'))
    await expect(page).toHaveURL(/\/dashboard$/)
    for (const path of hostile) {
      const response = await page.request.get(`/login?callbackUrl=${encodeURIComponent(path)}`, { maxRedirects: 0 })
      expect(response.status(), path).toBe(307)
      expect(response.headers()['location'], path).toBe('/dashboard')
    }
    const kept = await page.request.get(`/login?callbackUrl=${encodeURIComponent('/dashboard?from=login')}`, { maxRedirects: 0 })
    expect(kept.headers()['location']).toBe('/dashboard?from=login')
  })

  test('the Auth.js email callback ignores an edited callbackUrl that leaves the app', async ({ browser, request, baseURL }) => {
    const page = await newUserPage(browser)
    for (const path of hostile) {
      const callback = await magicLinkCallback(page, uniqueEmail('redirect-callback'))
      callback.searchParams.set('callbackUrl', `${baseURL}${path}`)
      const response = await request.get(callback.href, { maxRedirects: 0 })
      expect(response.status(), path).toBe(302)
      expect(response.headers()['location'], path).toBe(`${baseURL}/dashboard`)
    }
  })
})

test('login CSRF (item 4): a page of another site cannot sign a signed-in victim into the attacker’s account', async ({ browser }) => {
  const victimEmail = uniqueEmail('victim')
  const victim = await newUserPage(browser)
  await signIn(victim, victimEmail)
  await expect(victim.getByRole('banner').getByText(victimEmail)).toBeVisible()
  const victimSession = await sessionCookie(victim)

  const attackerEmail = uniqueEmail('attacker')
  const callback = await magicLinkCallback(await newUserPage(browser), attackerEmail)

  // The attacker's page, on its own origin, sends the victim's browser to the attacker's link.
  await victim.route('http://attacker.test/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>Free prize</title><script>location.assign(${JSON.stringify(callback.href)})</script>`,
    }),
  )
  await victim.goto('http://attacker.test/prize')
  await expect(victim.getByRole('heading', { level: 1, name: 'Open the sign-in link from your email again' })).toBeVisible()
  await expect(victim).toHaveURL(/\/login\/error\?error=CrossSite$/)
  await expectAccessible(victim)

  expect(await sessionCookie(victim)).toBe(victimSession)
  await victim.goto('/dashboard')
  await expect(victim.getByRole('banner').getByText(victimEmail)).toBeVisible()
  await expect(victim.getByRole('banner').getByText(attackerEmail)).toHaveCount(0)

  // The same link opened from the email and confirmed on our page still signs its owner in.
  const owner = await newUserPage(browser)
  await owner.goto(`/login/confirm?url=${encodeURIComponent(callback.href)}`)
  await owner.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(owner.getByRole('banner').getByText(attackerEmail)).toBeVisible()
})

test('client address (item 3): client-written X-Forwarded-For hops before the proxy’s entry share that entry’s sign-in budget', async ({ browser }) => {
  const proxyEntry = `198.51.100.${1 + (randomBytes(1)[0] % 250)}`
  for (let i = 1; i <= 21; i++) {
    const page = await behindProxy(browser, `10.${i}.0.1, 172.16.0.${i}`, proxyEntry)
    await page.goto('/login')
    await page.getByLabel('Email').fill(uniqueEmail(`hop-${i}`))
    await page.getByRole('button', { name: 'Sign in with email' }).click()
    if (i <= 20) await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible()
    else await expect(page.getByText(/Too many sign-in emails were requested\. Try again in \d+ minutes?\./)).toBeVisible()
    await page.context().close()
  }
})

test('Content-Security-Policy: a fresh script nonce per page, no violation on the main pages, and the pages still run', async ({ browser }) => {
  const page = await newUserPage(browser)
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] }
    w.cspViolations = []
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`))
  })
  const consoleErrors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) consoleErrors.push(m.text())
  })
  const nonces: string[] = []
  const expectNoViolation = async (where: string) =>
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), where).toEqual([])
  const visit = async (path: string) => {
    const response = await page.goto(path)
    const policy = response!.headers()['content-security-policy']
    const scriptSrc = policy.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src '))
    expect(scriptSrc, path).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'$/)
    expect(policy, path).toContain("frame-ancestors 'none'")
    nonces.push(scriptSrc!.match(/'nonce-([^']+)'/)![1])
    await page.waitForLoadState('networkidle')
    await expectNoViolation(path)
  }

  await visit('/login')
  await signIn(page, uniqueEmail('csp'), { goto: null })
  await visit('/dashboard')
  // The button needs the page's script (disabled until it has loaded): it works, so scripts ran.
  const slug = await createOrganization(page, `CSP Org ${Date.now()}`)
  await visit(`/orgs/${slug}`)
  await visit(`/orgs/${slug}/members`)
  await page.getByRole('button', { name: 'Invite Member' }).click()
  await expect(page.getByRole('dialog', { name: 'Invite Member' })).toBeVisible()
  await expectNoViolation('the Invite Member dialog')
  await visit(`/orgs/${slug}/audit`)

  expect(new Set(nonces).size).toBe(nonces.length)
  expect(consoleErrors).toEqual([])

  // What the nonce is for: injected markup with an inline handler (an XSS) does not run, and says so.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img alt="" src="/no-such-image.png" onerror="window.injectedRan = true">'))
  await expect.poll(() => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([expect.stringMatching(/^script-src-attr inline$/)])
  expect(await page.evaluate(() => (window as unknown as { injectedRan?: boolean }).injectedRan)).toBeUndefined()
})

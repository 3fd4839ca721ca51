import { expect, test } from '@playwright/test'
import { createOrganization, emailsTo, expectAccessible, linkIn, newUserPage, signIn, signOut, uniqueEmail, waitForEmail } from './helpers'

test.describe('sign in and organizations', () => {
  test('signs in by the emailed link, creates an organization, sees it listed, signs out', async ({ browser }) => {
    const page = await newUserPage(browser)
    const email = uniqueEmail('ada')
    await page.goto('/login')
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible()
    await expectAccessible(page)
    await signIn(page, email, { goto: null })
    await expect(page).toHaveURL(/\/dashboard$/)
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible()
    await expect(page.getByRole('banner').getByText(email)).toBeVisible()
    await expect(page.getByText('You are not in any organization yet.')).toBeVisible()
    await expectAccessible(page)

    const name = `Acme ${Date.now()}`
    await page.getByRole('button', { name: 'Create organization' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create organization' })
    await dialog.getByLabel('Organization name').fill(`  ${name}  `)
    await expectAccessible(page)
    await dialog.getByRole('button', { name: 'Create' }).click()
    await expect(page).toHaveURL(/\/orgs\/acme-\d+$/)
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible()
    const tabs = page.getByRole('navigation', { name: 'Organization' })
    await expect(tabs.getByRole('link', { name: 'Projects' })).toHaveAttribute('aria-current', 'page')
    await expect(page.getByText('This organization has no projects yet.')).toBeVisible()
    await expectAccessible(page)
    await tabs.getByRole('link', { name: 'Members' }).click()
    await expect(page.getByRole('heading', { level: 2, name: 'Members' })).toBeVisible()

    await page.goto('/dashboard')
    const overview = page.getByRole('region', { name: 'Organization Overview' })
    await expect(overview.getByRole('link', { name })).toBeVisible()

    await signOut(page)
    await expect(page).toHaveURL(/\/login/)
    await page.goto('/dashboard')
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fdashboard/)
  })

  test('keeps what was typed and shows the error next to the field', async ({ browser }) => {
    const page = await newUserPage(browser)
    await signIn(page, uniqueEmail('typo'))
    await page.getByRole('button', { name: 'Create organization' }).click()
    const dialog = page.getByRole('dialog', { name: 'Create organization' })
    const field = dialog.getByLabel('Organization name')
    const tooLong = 'x'.repeat(81)
    await field.fill(tooLong)
    await dialog.getByRole('button', { name: 'Create' }).click()
    await expect(dialog.getByText('Use at most 80 characters.')).toBeVisible()
    await expect(field).toHaveValue(tooLong)
    await expect(field).toHaveAttribute('aria-invalid', 'true')
    await expect(page).toHaveURL(/\/dashboard$/)
  })

  test('works by keyboard alone', async ({ browser }) => {
    const page = await newUserPage(browser)
    const email = uniqueEmail('keys')
    await page.goto('/login')
    await page.keyboard.press('Tab') // skip link
    await page.keyboard.press('Tab')
    await expect(page.getByLabel('Email')).toBeFocused()
    await page.keyboard.type(email)
    await page.keyboard.press('Enter')
    await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible()
    const message = await waitForEmail(email, /^Sign in/)
    await page.goto(linkIn(message, /https?:\/\/\S+\/login\/confirm\?\S+/))
    await page.getByRole('button', { name: 'Sign in', exact: true }).focus()
    await page.keyboard.press('Enter')
    await expect(page).toHaveURL(/\/dashboard$/)
    await expect(page.getByRole('button', { name: 'Create organization' })).toBeEnabled()
    await page.getByRole('button', { name: 'Create organization' }).focus()
    await page.keyboard.press('Enter')
    const field = page.getByRole('dialog', { name: 'Create organization' }).getByLabel('Organization name')
    await expect(field).toBeFocused()
    await page.keyboard.type('Keyboard Co')
    await page.keyboard.press('Enter')
    await expect(page.getByRole('heading', { level: 1, name: 'Keyboard Co' })).toBeVisible()
  })

  test('a signed-out visitor signs in and comes back; another user gets a 404', async ({ browser }) => {
    const owner = await newUserPage(browser)
    await signIn(owner, uniqueEmail('owner'))
    await createOrganization(owner, 'Secret Labs')
    const orgPath = new URL(owner.url()).pathname

    const visitor = await newUserPage(browser)
    await visitor.goto(`${orgPath}/members`)
    await expect(visitor).toHaveURL(/\/login\?callbackUrl=/)
    await signIn(visitor, uniqueEmail('stranger'), { goto: null })
    await expect(visitor).toHaveURL(new RegExp(`${orgPath}/members$`))
    await expect(visitor.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible()
    await expect(visitor.getByText('Secret Labs')).toHaveCount(0)
    const response = await visitor.goto(orgPath)
    expect(response?.status()).toBe(404)
    await expectAccessible(visitor)
  })

  test('bad sign-in input sends nothing; tampered links and unknown routes get clear pages', async ({ browser }) => {
    const page = await newUserPage(browser)
    await page.goto('/login')
    await page.getByLabel('Email').fill('not-an-email')
    await page.getByRole('button', { name: 'Sign in with email' }).click()
    await expect(page.getByText('Enter a valid email address, like name@example.com.')).toBeVisible()
    await expect(page.getByLabel('Email')).toHaveValue('not-an-email')
    expect(await emailsTo('not-an-email')).toEqual([])

    const email = uniqueEmail('tamper')
    await page.getByLabel('Email').fill(email)
    await page.getByRole('button', { name: 'Sign in with email' }).click()
    await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible()
    await expectAccessible(page)
    const link = new URL(linkIn(await waitForEmail(email, /^Sign in/), /https?:\/\/\S+\/login\/confirm\?\S+/))
    const callback = new URL(link.searchParams.get('url')!)
    callback.searchParams.set('token', 'f'.repeat(64))
    link.searchParams.set('url', callback.href)
    await page.goto(link.href)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await expect(page.getByRole('heading', { level: 1, name: 'This sign-in link has expired or was already used' })).toBeVisible()
    await expect(page.getByRole('link', { name: 'Request a new sign-in link' })).toBeVisible()
    await expectAccessible(page)

    await page.goto('/login/confirm?url=https%3A%2F%2Fevil.example%2Fapi%2Fauth%2Fcallback%2Femail%3Ftoken%3Dx%26email%3Dy')
    await expect(page.getByRole('heading', { level: 1, name: 'This sign-in link is not valid' })).toBeVisible()

    const missing = await page.goto('/no/such/page')
    expect(missing?.status()).toBe(404)
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible()
  })

  test('refuses an off-site callbackUrl after sign-in', async ({ browser }) => {
    const page = await newUserPage(browser)
    await signIn(page, uniqueEmail('redirect'), { goto: '/login?callbackUrl=%2F%2Fevil.example%2Fx' })
    await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/dashboard$/)
  })
})

test('a sixth sign-in email for one address within 15 minutes is refused, with a clear message', async ({ browser }) => {
  const email = uniqueEmail('limited')
  for (let i = 1; i <= 6; i++) {
    // A new browser (and client address) each time: the per-address limit holds whatever the IP.
    const page = await newUserPage(browser)
    await page.goto('/login')
    await page.getByLabel('Email').fill(email)
    await page.getByRole('button', { name: 'Sign in with email' }).click()
    if (i <= 5) await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible()
    else await expect(page.getByText(/Too many sign-in emails were requested\. Try again in \d+ minutes?\./)).toBeVisible()
    await page.context().close()
  }
  await expect.poll(async () => (await emailsTo(email)).length).toBe(5)
})

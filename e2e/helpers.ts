import { randomBytes } from 'node:crypto'
import AxeBuilder from '@axe-core/playwright'
import { expect, type Browser, type BrowserContextOptions, type Page } from '@playwright/test'

const fakeResendUrl = () => process.env.FAKE_RESEND_URL ?? 'http://127.0.0.1:3199'

export interface RecordedEmail {
  id: string
  to: string[]
  subject: string
  html: string
  text: string
  idempotencyKey: string | null
}

export function uniqueEmail(prefix: string) {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`
}

/** Emails the fake Resend server received for this address, oldest first. */
export async function emailsTo(address: string): Promise<RecordedEmail[]> {
  const res = await fetch(`${fakeResendUrl()}/__emails?to=${encodeURIComponent(address)}`)
  return (await res.json()) as RecordedEmail[]
}

/** Waits for the n-th email to this address whose subject matches, and returns it. */
export async function waitForEmail(address: string, subject: RegExp, count = 1): Promise<RecordedEmail> {
  let found: RecordedEmail[] = []
  await expect
    .poll(async () => {
      found = (await emailsTo(address)).filter((e) => subject.test(e.subject))
      return found.length
    }, { timeout: 15_000 })
    .toBeGreaterThanOrEqual(count)
  return found[count - 1]
}

export function linkIn(email: RecordedEmail, pattern: RegExp): string {
  const match = email.text.match(pattern)
  if (!match) throw new Error(`no link matching ${pattern} in email "${email.subject}"`)
  return match[0]
}

/** A new browser context with its own client address, as a load balancer would report it; `options` for a phone's viewport. */
export async function newUserPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`
  const context = await browser.newContext({ ...options, extraHTTPHeaders: { 'x-forwarded-for': ip } })
  return context.newPage()
}

/** Signs in through the real flow: the form, the emailed link, the confirm click. */
export async function signIn(page: Page, email: string, { goto = '/login' }: { goto?: string | null } = {}) {
  const before = (await emailsTo(email)).filter((e) => /^Sign in/.test(e.subject)).length
  if (goto) await page.goto(goto)
  await page.getByLabel('Email').fill(email)
  await page.getByRole('button', { name: 'Sign in with email' }).click()
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible()
  const message = await waitForEmail(email, /^Sign in/, before + 1)
  await page.goto(linkIn(message, /https?:\/\/\S+\/login\/confirm\?\S+/))
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
}

/** Signs out from the header's account menu (a button named for the account). */
export async function signOut(page: Page) {
  await page.getByRole('button', { name: /^Account: / }).click()
  await page.getByRole('button', { name: 'Sign out', exact: true }).click()
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page) {
  // Contrast is judged on the page at rest: a button enabled by hydration fades from its disabled
  // colours (transition-colors), and axe once measured it mid-fade.
  await page.waitForFunction(() => document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'))
  const results = await new AxeBuilder({ page }).analyze()
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([])
}

/** Creates an organization from the Dashboard and waits for its page. */
export async function createOrganization(page: Page, name: string) {
  await page.goto('/dashboard')
  await page.getByRole('button', { name: 'Create organization' }).click()
  const dialog = page.getByRole('dialog', { name: 'Create organization' })
  await dialog.getByLabel('Organization name').fill(name)
  await dialog.getByRole('button', { name: 'Create', exact: true }).click()
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible()
  return new URL(page.url()).pathname.split('/')[2]
}

import { expect, test, type Page } from '@playwright/test'
import { createOrganization, emailsTo, expectAccessible, linkIn, newUserPage, signIn, signOut, uniqueEmail, waitForEmail } from './helpers'

const INVITE_LINK = /https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]{43}/

async function openMembers(page: Page, slug: string) {
  await page.goto(`/orgs/${slug}/members`)
  await expect(page.getByRole('heading', { level: 2, name: /^Members/ })).toBeVisible()
}

async function invite(page: Page, emails: string, options: { role?: 'Admin' | 'Member'; permissions?: string[]; projects?: Record<string, string> } = {}) {
  await page.getByRole('button', { name: 'Invite Member' }).click()
  const dialog = page.getByRole('dialog', { name: 'Invite Member' })
  await dialog.getByLabel('Email address').fill(emails)
  if (options.role) await dialog.getByRole('radio', { name: options.role }).check()
  for (const label of options.permissions ?? []) await dialog.getByRole('checkbox', { name: label }).check()
  for (const [project, level] of Object.entries(options.projects ?? {})) await dialog.getByLabel(project).selectOption({ label: level })
  await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
  return dialog
}

test.describe('invitations, as the user guide describes them', () => {
  test('invite with permissions, accept on the Dashboard, decline from the bell, revoke', async ({ browser }) => {
    const admin = await newUserPage(browser)
    await signIn(admin, uniqueEmail('admin'))
    const orgName = `Guide Org ${Date.now()}`
    const slug = await createOrganization(admin, orgName)
    await openMembers(admin, slug)
    await expectAccessible(admin)

    const first = uniqueEmail('first')
    const second = uniqueEmail('second')
    const third = uniqueEmail('third')
    const dialog = await invite(admin, `${first}, ${second}\n${third} not-an-address`, { permissions: ['View members'] })
    const results = dialog.getByRole('list', { name: 'Invitation results' })
    await expect(results.getByText(`${first}: invited`)).toBeVisible()
    await expect(results.getByText('not-an-address: not a valid email address')).toBeVisible()
    await expectAccessible(admin)
    await dialog.getByRole('button', { name: 'Close' }).click()

    const pending = admin.getByRole('region', { name: 'Invitations' })
    for (const email of [first, second, third]) await expect(pending.getByRole('cell', { name: email, exact: true })).toBeVisible()
    const email = await waitForEmail(first, /invited you to join/)
    expect(email.subject).toContain(orgName)
    expect(email.text).toContain('View members')
    // Each address gets its own email, and the three left in one request to the provider (one batch key).
    const others = [await waitForEmail(second, /invited you to join/), await waitForEmail(third, /invited you to join/)]
    const batchKeys = [email, ...others].map((e) => e.idempotencyKey?.replace(/#\d+$/, ''))
    expect(new Set(batchKeys).size).toBe(1)
    expect(batchKeys[0]).toMatch(/^batch\/invitation\//)

    // The first invitee signs in; the Dashboard prompts; Accept; the organization is listed.
    const invitee = await newUserPage(browser)
    await signIn(invitee, first)
    const prompt = invitee.getByRole('region', { name: `Invitation to join ${orgName}` })
    await expect(prompt).toBeVisible()
    await expectAccessible(invitee)
    await prompt.getByRole('button', { name: 'Accept' }).click()
    await expect(invitee.getByRole('status').filter({ hasText: `You joined ${orgName}.` })).toBeVisible()
    await expect(invitee.getByRole('region', { name: 'Organization Overview' }).getByRole('link', { name: orgName })).toBeVisible()
    await expect(invitee.getByRole('button', { name: 'Notifications, no open invitations' })).toBeVisible()
    await invitee.getByRole('link', { name: orgName }).click()
    await expect(invitee.getByText('the organization has not created any projects yet')).toBeVisible()
    await expect(invitee.getByText('you have not been given access to any of its projects yet', { exact: false })).toBeVisible()

    // The second declines from the bell, by keyboard.
    const decliner = await newUserPage(browser)
    await signIn(decliner, second)
    const bell = decliner.getByRole('button', { name: 'Notifications, 1 open invitation' })
    // The bell needs the page's script: it is disabled (and cannot take focus) until hydrated.
    await expect(bell).toBeEnabled()
    await bell.focus()
    await decliner.keyboard.press('Enter')
    await expect(bell).toHaveAttribute('aria-expanded', 'true')
    const bellItem = decliner.getByRole('region', { name: `Invitation to join ${orgName}` }).first()
    await expectAccessible(decliner)
    await decliner.locator('header').getByRole('button', { name: 'Decline' }).click()
    await expect(decliner.getByRole('status').filter({ hasText: 'Invitation declined.' })).toBeVisible()
    await expect(decliner.getByRole('button', { name: 'Notifications, no open invitations' })).toBeVisible()
    await expect(bellItem).toHaveCount(0)
    await expect(decliner.getByText('You are not in any organization yet.')).toBeVisible()

    // The admin revokes the third; its link then says so.
    await openMembers(admin, slug)
    await admin.getByRole('button', { name: `Revoke invitation to ${third}` }).click()
    const confirm = admin.getByRole('dialog', { name: 'Revoke invitation?' })
    await expect(confirm).toBeVisible()
    await expectAccessible(admin)
    await confirm.getByRole('button', { name: 'Revoke invitation' }).click()
    await expect(admin.getByRole('status').filter({ hasText: 'Invitation revoked.' })).toBeVisible()
    await expect(pending.getByRole('cell', { name: third, exact: true })).toHaveCount(0)
    await expect(pending.getByRole('cell', { name: first, exact: true })).toHaveCount(0)
    await expect(pending.getByRole('cell', { name: second, exact: true })).toHaveCount(0)
    const revokedLink = linkIn(await waitForEmail(third, /invited you to join/), INVITE_LINK)
    const anonymous = await newUserPage(browser)
    await anonymous.goto(revokedLink)
    await expect(anonymous.getByRole('heading', { level: 1, name: 'This invitation was revoked' })).toBeVisible()
    await expectAccessible(anonymous)
  })

  test('a newcomer joins from the email link alone; resend replaces the link', async ({ browser }) => {
    const admin = await newUserPage(browser)
    await signIn(admin, uniqueEmail('admin'))
    const orgName = `Link Org ${Date.now()}`
    const slug = await createOrganization(admin, orgName)
    await admin.getByRole('button', { name: 'Create project' }).click()
    await admin.getByLabel('Project name').fill('Apollo')
    await admin.getByRole('button', { name: 'Create', exact: true }).click()
    await expect(admin.getByRole('status').filter({ hasText: 'Project Apollo created.' })).toBeVisible()
    await openMembers(admin, slug)
    const newcomer = uniqueEmail('newcomer')
    const dialog = await invite(admin, newcomer, { permissions: ['View members'], projects: { Apollo: 'Edit' } })
    await expect(dialog.getByText(`${newcomer}: invited`)).toBeVisible()
    await dialog.getByRole('button', { name: 'Close' }).click()
    const oldLink = linkIn(await waitForEmail(newcomer, /invited you to join/), INVITE_LINK)

    // Resend (after the cooldown, 2 s in this suite): a new link; the old one stops working.
    await admin.waitForTimeout(2_100)
    await admin.getByRole('button', { name: `Resend invitation to ${newcomer}` }).click()
    await expect(admin.getByRole('status').filter({ hasText: 'Invitation sent again with a new link.' })).toBeVisible()
    const newLink = linkIn(await waitForEmail(newcomer, /invited you to join/, 2), INVITE_LINK)
    expect(newLink).not.toBe(oldLink)

    const page = await newUserPage(browser)
    await page.goto(oldLink)
    await expect(page.getByRole('heading', { level: 1, name: 'This invitation link is not valid' })).toBeVisible()
    await page.goto(newLink)
    await expect(page.getByRole('heading', { level: 1, name: `Join ${orgName}` })).toBeVisible()
    await expect(page.getByText('Apollo (Edit)')).toBeVisible()
    await expectAccessible(page)
    const signInEmailsBefore = (await emailsTo(newcomer)).filter((e) => /^Sign in/.test(e.subject)).length
    await page.getByRole('button', { name: `Continue as ${newcomer}` }).click()
    await page.getByRole('button', { name: 'Accept' }).click()
    await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`))
    await expect(page.getByRole('heading', { level: 1, name: orgName })).toBeVisible()
    await expect(page.getByRole('listitem').filter({ hasText: 'Apollo' })).toBeVisible()
    expect((await emailsTo(newcomer)).filter((e) => /^Sign in/.test(e.subject)).length).toBe(signInEmailsBefore)

    // The answered link now says so.
    await page.goto(newLink)
    await expect(page.getByRole('heading', { level: 1, name: 'This invitation was already answered' })).toBeVisible()
  })

  test('an existing account signs in from the link; someone else signed in is told so', async ({ browser }) => {
    const admin = await newUserPage(browser)
    await signIn(admin, uniqueEmail('admin'))
    const orgName = `Existing Org ${Date.now()}`
    const slug = await createOrganization(admin, orgName)
    const existing = uniqueEmail('existing')
    const existingPage = await newUserPage(browser)
    await signIn(existingPage, existing)
    await signOut(existingPage)
    await expect(existingPage).toHaveURL(/\/login/)

    await openMembers(admin, slug)
    await invite(admin, existing)
    const link = linkIn(await waitForEmail(existing, /invited you to join/), INVITE_LINK)

    // The admin (another account) opens it: told so, offered to switch.
    await admin.goto(link)
    await expect(admin.getByText('but this invitation is for')).toBeVisible()
    await expect(admin.getByRole('button', { name: 'Sign out and continue' })).toBeVisible()

    // Signed out, the account exists: a normal sign-in that returns to the invitation.
    await existingPage.goto(link)
    await expect(existingPage.getByRole('button', { name: /^Continue as/ })).toHaveCount(0)
    await existingPage.getByRole('link', { name: 'Sign in to answer' }).click()
    await expect(existingPage.getByLabel('Email')).toHaveValue(existing)
    await signIn(existingPage, existing, { goto: null })
    await expect(existingPage).toHaveURL(link)
    await existingPage.getByRole('button', { name: 'Accept' }).click()
    await expect(existingPage.getByRole('heading', { level: 1, name: orgName })).toBeVisible()
  })

  test('a member without Invite members sees no Invite Member button, and a forged invite is refused', async ({ browser }) => {
    const owner = await newUserPage(browser)
    await signIn(owner, uniqueEmail('owner'))
    const slug = await createOrganization(owner, `Forge Org ${Date.now()}`)
    await openMembers(owner, slug)
    const reader = uniqueEmail('reader')
    await invite(owner, reader, { permissions: ['View members'] })
    const readerPage = await newUserPage(browser)
    await signIn(readerPage, reader)
    await readerPage.getByRole('button', { name: 'Accept' }).click()
    await expect(readerPage.getByRole('status').filter({ hasText: 'You joined' })).toBeVisible()
    await openMembers(readerPage, slug)
    await expect(readerPage.getByRole('button', { name: 'Invite Member' })).toHaveCount(0)

    // Take the owner's invite form (the same build's server action) and post it as the reader.
    await openMembers(owner, slug)
    const formHtml = await owner.locator('form:has(textarea[name=emails])').evaluate((f) => f.outerHTML)
    const forged = uniqueEmail('forged')
    await readerPage.evaluate(
      ({ html, email }) => {
        document.body.insertAdjacentHTML('beforeend', `<div id="forged">${html}</div>`)
        const form = document.querySelector('#forged form') as HTMLFormElement
        ;(form.querySelector('textarea[name=emails]') as HTMLTextAreaElement).value = email
        form.submit()
      },
      { html: formHtml, email: forged },
    )
    await readerPage.waitForLoadState('load')
    await openMembers(owner, slug)
    await expect(owner.getByRole('cell', { name: forged, exact: true })).toHaveCount(0)
    expect(await emailsTo(forged)).toEqual([])
  })

  test('an inviter cannot grant a permission it lacks, even past the disabled checkbox', async ({ browser }) => {
    const owner = await newUserPage(browser)
    await signIn(owner, uniqueEmail('owner'))
    const slug = await createOrganization(owner, `Grant Org ${Date.now()}`)
    await openMembers(owner, slug)
    const inviter = uniqueEmail('inviter')
    await invite(owner, inviter, { permissions: ['View members', 'Invite members'] })
    const inviterPage = await newUserPage(browser)
    await signIn(inviterPage, inviter)
    await inviterPage.getByRole('button', { name: 'Accept' }).click()
    await expect(inviterPage.getByRole('status').filter({ hasText: 'You joined' })).toBeVisible()
    await openMembers(inviterPage, slug)
    await inviterPage.getByRole('button', { name: 'Invite Member' }).click()
    const dialog = inviterPage.getByRole('dialog', { name: 'Invite Member' })
    await expect(dialog.getByRole('checkbox', { name: 'Create projects' })).toBeDisabled()
    await expect(dialog.getByRole('radio', { name: 'Admin' })).toBeDisabled()
    await dialog.getByRole('checkbox', { name: 'Create projects' }).evaluate((el) => el.removeAttribute('disabled'))
    await dialog.getByRole('checkbox', { name: 'Create projects' }).check()
    const target = uniqueEmail('escalate')
    await dialog.getByLabel('Email address').fill(target)
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText(/You can only grant permissions you hold|cannot grant/i).first()).toBeVisible()
    await expect(dialog.getByLabel('Email address')).toHaveValue(target)
    expect(await emailsTo(target)).toEqual([])
  })
})

import { expect, test, type Browser, type Locator, type Page } from '@playwright/test'
import { createOrganization, expectAccessible, linkIn, newUserPage, signIn, uniqueEmail, waitForEmail } from './helpers'

// Issue 14, items 4 (phones), 6 (accessible names contain the visible words) and 7 (copy and small things).

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
const INVITE_LINK = /https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]{43}/
const fakeResend = () => process.env.FAKE_RESEND_URL ?? 'http://127.0.0.1:3199'

/** An address long enough to overflow a phone's line if it could not wrap. */
const longEmail = (label: string) => uniqueEmail(`${label}-with-a-rather-long-local-part-for-phones`)

async function expectNoSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.viewport.width)
}

/** The element lies inside the phone's screen: wholly left to right, and top to bottom once scrolled to. */
async function expectOnScreen(locator: Locator) {
  await locator.scrollIntoViewIfNeeded()
  const box = await locator.boundingBox()
  expect(box).not.toBeNull()
  expect(box!.x).toBeGreaterThanOrEqual(0)
  expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.viewport.width)
  expect(box!.y).toBeGreaterThanOrEqual(0)
  expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.viewport.height)
}

async function openMembers(page: Page, slug: string, query = '') {
  await page.goto(`/orgs/${slug}/members${query}`)
  await expect(page.getByRole('heading', { level: 2, name: /^Members/ })).toBeVisible()
}

async function invite(page: Page, emails: string, permissions: string[] = []) {
  await page.getByRole('button', { name: 'Invite Member' }).click()
  const dialog = page.getByRole('dialog', { name: 'Invite Member' })
  await dialog.getByLabel('Email address').fill(emails)
  for (const label of permissions) await dialog.getByRole('checkbox', { name: label }).check()
  await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
  for (const email of emails.split(/[\s,]+/)) await expect(dialog.getByText(`${email}: invited`)).toBeVisible()
  await dialog.getByRole('button', { name: 'Close' }).click()
}

/** Signs the invitee in on a desktop page and accepts from the Dashboard. */
async function joinAs(browser: Browser, email: string, orgName: string) {
  const page = await newUserPage(browser)
  await signIn(page, email)
  await page.getByRole('region', { name: `Invitation to join ${orgName}` }).getByRole('button', { name: 'Accept' }).click()
  await expect(page.getByRole('status').filter({ hasText: `You joined ${orgName}.` })).toBeVisible()
  return page
}

test.describe('on a phone, 390 × 844', () => {
  test('the Members page does not scroll sideways; its tables stack; Invite, Edit and Revoke fit the screen', async ({ browser }) => {
    const owner = await newUserPage(browser, PHONE)
    await signIn(owner, uniqueEmail('owner'))
    const orgName = `Phone Org ${Date.now()}`
    const slug = await createOrganization(owner, orgName)
    await openMembers(owner, slug)

    // The Invite dialog and its buttons are on the screen.
    await owner.getByRole('button', { name: 'Invite Member' }).click()
    const inviteDialog = owner.getByRole('dialog', { name: 'Invite Member' })
    await expectOnScreen(inviteDialog.getByLabel('Email address'))
    await expectOnScreen(inviteDialog.getByRole('button', { name: 'Invite', exact: true }))
    await expectOnScreen(inviteDialog.getByRole('button', { name: 'Close' }))
    await expectAccessible(owner)
    await inviteDialog.getByRole('button', { name: 'Close' }).click()

    const memberEmail = longEmail('member')
    const pendingEmail = longEmail('pending')
    await invite(owner, `${memberEmail} ${pendingEmail}`)
    await joinAs(browser, memberEmail, orgName)

    await openMembers(owner, slug)
    await expectNoSidewaysScroll(owner)
    await expectAccessible(owner)

    // Stacked rows: each value on its own line under the row's name, labelled, dates on one line.
    const memberRow = owner.getByRole('row').filter({ hasText: memberEmail })
    const nameBox = (await memberRow.getByRole('cell').nth(0).boundingBox())!
    const roleCell = memberRow.getByRole('cell').nth(1)
    const roleBox = (await roleCell.boundingBox())!
    expect(roleBox.x).toBe(nameBox.x)
    expect(roleBox.y).toBeGreaterThanOrEqual(nameBox.y + nameBox.height - 1)
    await expect(roleCell).toHaveText('Role: Member')
    const joined = memberRow.locator('time')
    const lineHeight = await joined.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight))
    expect((await joined.boundingBox())!.height).toBeLessThanOrEqual(lineHeight + 1)
    await expectOnScreen(memberRow.getByText(memberEmail))

    // Edit dialog.
    await memberRow.getByRole('button', { name: `Edit permissions of ${memberEmail}` }).click()
    const editor = owner.getByRole('dialog', { name: `Edit permissions of ${memberEmail}` })
    await expectOnScreen(editor.getByRole('heading', { name: `Edit permissions of ${memberEmail}` }))
    await expectOnScreen(editor.getByRole('button', { name: 'Save changes' }))
    await expectOnScreen(editor.getByRole('button', { name: 'Cancel' }))
    await expectAccessible(owner)
    await editor.getByRole('button', { name: 'Cancel' }).click()

    // Revoke dialog.
    const invitations = owner.getByRole('region', { name: 'Invitations' })
    await invitations.getByRole('button', { name: `Revoke invitation to ${pendingEmail}` }).click()
    const confirm = owner.getByRole('dialog', { name: 'Revoke invitation?' })
    await expectOnScreen(confirm.getByRole('button', { name: 'Revoke invitation' }))
    await expectOnScreen(confirm.getByRole('button', { name: 'Cancel' }))
    await expectAccessible(owner)
    await confirm.getByRole('button', { name: 'Revoke invitation' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Invitation revoked.' })).toBeVisible()
    await expectNoSidewaysScroll(owner)

    // The other organization pages an owner reaches on a phone: the audit log, a project and its access table.
    await owner.goto(`/orgs/${slug}/audit`)
    await expect(owner.getByRole('heading', { level: 2, name: 'Audit log' })).toBeVisible()
    await expectNoSidewaysScroll(owner)
    await expectAccessible(owner)
    await owner.goto(`/orgs/${slug}`)
    await owner.getByRole('button', { name: 'Create project' }).click()
    const create = owner.getByRole('dialog', { name: 'Create project' })
    await expectOnScreen(create.getByRole('button', { name: 'Create', exact: true }))
    await create.getByLabel('Project name').fill('Zephyr')
    await create.getByRole('button', { name: 'Create', exact: true }).click()
    await owner.getByRole('link', { name: 'Zephyr' }).click()
    await owner.getByLabel('Member email').fill(memberEmail)
    await owner.getByRole('button', { name: 'Grant access' }).click()
    await expect(owner.getByRole('row').filter({ hasText: memberEmail })).toBeVisible()
    await expectNoSidewaysScroll(owner)
    await expectAccessible(owner)
  })

  test('the invitation link, the Dashboard and the organization fit; the header shows the account', async ({ browser }) => {
    const admin = await newUserPage(browser)
    await signIn(admin, uniqueEmail('admin'))
    const orgName = `Phone Join ${Date.now()}`
    const slug = await createOrganization(admin, orgName)
    await openMembers(admin, slug)
    const invitee = longEmail('invitee')
    await invite(admin, invitee, ['View members'])

    const phone = await newUserPage(browser, PHONE)
    await phone.goto(linkIn(await waitForEmail(invitee, /invited you to join/), INVITE_LINK))
    await expect(phone.getByRole('heading', { level: 1, name: `Join ${orgName}` })).toBeVisible()
    await expectNoSidewaysScroll(phone)
    await expectAccessible(phone)
    await phone.getByRole('button', { name: `Continue as ${invitee}` }).click()
    await expect(phone.getByRole('button', { name: 'Accept' })).toBeVisible()

    // Which account is signed in, on a phone too: a button named for it opens the address and Sign out.
    const account = phone.getByRole('button', { name: `Account: ${invitee}` })
    await expectOnScreen(account)
    await account.click()
    await expect(account).toHaveAttribute('aria-expanded', 'true')
    const panel = phone.locator(`[id="${await account.getAttribute('aria-controls')}"]`)
    await expect(panel.getByText(invitee)).toBeVisible()
    await expectOnScreen(panel.getByText(invitee))
    await expectOnScreen(panel.getByRole('button', { name: 'Sign out' }))
    await expectAccessible(phone)
    await phone.keyboard.press('Escape')
    await expect(account).toHaveAttribute('aria-expanded', 'false')

    await phone.goto('/dashboard')
    const prompt = phone.getByRole('region', { name: `Invitation to join ${orgName}` })
    await expect(prompt).toBeVisible()
    await expectNoSidewaysScroll(phone)
    await expectAccessible(phone)
    await expectOnScreen(prompt.getByRole('button', { name: 'Accept' }))
    await prompt.getByRole('button', { name: 'Accept' }).click()
    await expect(phone.getByRole('status').filter({ hasText: `You joined ${orgName}.` })).toBeVisible()

    await phone.goto(`/orgs/${slug}`)
    await expect(phone.getByRole('heading', { level: 1, name: orgName })).toBeVisible()
    await expectNoSidewaysScroll(phone)
    await expectAccessible(phone)
    await openMembers(phone, slug)
    await expectNoSidewaysScroll(phone)
    await expectAccessible(phone)
  })
})

test.describe('what the screen says is what happens', () => {
  test('owner copy: Projects offers Create project, Make owner is named by its words, Leave is disabled with the reason, the audit log says to whom', async ({ browser }) => {
    const owner = await newUserPage(browser)
    const ownerEmail = uniqueEmail('owner')
    await signIn(owner, ownerEmail)
    const orgName = `Copy Org ${Date.now()}`
    const slug = await createOrganization(owner, orgName)

    // An owner sees every project: with none, the advice is to create one, not to ask an admin.
    await expect(owner.getByText('This organization has no projects yet.')).toBeVisible()
    await expect(owner.getByText('Create the first one with Create project.', { exact: false })).toBeVisible()
    await expect(owner.getByText('Ask an admin', { exact: false })).toHaveCount(0)
    await expectAccessible(owner)

    // The header names the signed-in account, on the desktop as well.
    const account = owner.getByRole('button', { name: `Account: ${ownerEmail}` })
    await account.click()
    await expect(owner.locator(`[id="${await account.getAttribute('aria-controls')}"]`).getByRole('button', { name: 'Sign out' })).toBeVisible()
    await owner.keyboard.press('Escape')

    await openMembers(owner, slug)
    const memberEmail = uniqueEmail('member')
    await invite(owner, memberEmail)
    const member = await joinAs(browser, memberEmail, orgName)

    // A member without access still gets both reasons of the guide.
    await member.goto(`/orgs/${slug}`)
    await expect(member.getByText('you have not been given access to any of its projects yet', { exact: false })).toBeVisible()

    await openMembers(owner, slug)
    // WCAG 2.5.3: the name starts with the visible words.
    await expect(owner.getByRole('button', { name: `Make owner: ${memberEmail}`, exact: true })).toHaveText('Make owner')
    await expect(owner.getByRole('button', { name: `Edit permissions of ${memberEmail}`, exact: true })).toHaveText('Edit')
    await expect(owner.getByRole('button', { name: `Remove ${memberEmail}`, exact: true })).toHaveText('Remove')

    // The last owner is not offered a Leave that will be refused: it is disabled, with the server's reason.
    const leave = owner.getByRole('button', { name: 'Leave organization' })
    await expect(leave).toBeDisabled()
    await expect(leave).toHaveAccessibleDescription('You are the last owner. Make someone else owner before you leave.')
    await expect(owner.getByText('You are the last owner. Make someone else owner before you leave.')).toBeVisible()
    await expectAccessible(owner)

    // Project access in the audit log names the person.
    await owner.goto(`/orgs/${slug}`)
    await owner.getByRole('button', { name: 'Create project' }).click()
    await owner.getByLabel('Project name').fill('Zephyr')
    await owner.getByRole('button', { name: 'Create', exact: true }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Project Zephyr created.' })).toBeVisible()
    await owner.getByRole('link', { name: 'Zephyr' }).click()
    await owner.getByLabel('Member email').fill(memberEmail)
    await owner.getByLabel('Access level').selectOption({ label: 'Edit' })
    await owner.getByRole('button', { name: 'Grant access' }).click()
    await expect(owner.getByRole('row').filter({ hasText: memberEmail })).toBeVisible()
    await owner.goto(`/orgs/${slug}/audit?action=project.access_granted`)
    const granted = owner.getByRole('row').filter({ hasText: memberEmail })
    await expect(granted.getByRole('cell', { name: 'Project access granted', exact: true })).toBeVisible()
    await expect(granted.getByRole('cell').last()).toContainText(`ZephyrTo ${memberEmail} (Edit)`)
    await expectAccessible(owner)
  })

  test('the Invitations section names what it holds and filters by state, by keyboard; the email says Join and names the product', async ({ browser }) => {
    const owner = await newUserPage(browser)
    await signIn(owner, uniqueEmail('owner'))
    const orgName = `Filter Org ${Date.now()}`
    const slug = await createOrganization(owner, orgName)
    await openMembers(owner, slug)
    const waiting = uniqueEmail('waiting')
    const bounced = uniqueEmail('bounced')
    await invite(owner, waiting)
    // The provider refuses the next email to this address outright: its row fails at once.
    await fetch(`${fakeResend()}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 422, times: 1, onlyTo: bounced }) })
    await invite(owner, bounced)

    const section = owner.getByRole('region', { name: 'Invitations' })
    await expect(owner.getByRole('heading', { level: 2, name: 'Pending invitations' })).toHaveCount(0)
    await expect(async () => {
      await owner.reload()
      await expect(section.getByRole('row').filter({ hasText: bounced }).getByText('Delivery failed')).toBeVisible({ timeout: 1_000 })
    }).toPass({ timeout: 15_000 })
    const filter = section.getByRole('navigation', { name: 'Invitation state' })
    await expect(filter.getByRole('link', { name: 'All' })).toHaveAttribute('aria-current', 'page')
    await expect(section.getByRole('cell', { name: waiting, exact: true })).toBeVisible()
    await expectAccessible(owner)

    await filter.getByRole('link', { name: 'Delivery failed' }).focus()
    await owner.keyboard.press('Enter')
    await expect(owner).toHaveURL(/\?state=delivery_failed$/)
    await expect(filter.getByRole('link', { name: 'Delivery failed' })).toHaveAttribute('aria-current', 'page')
    await expect(section.getByRole('cell', { name: bounced, exact: true })).toBeVisible()
    await expect(section.getByRole('cell', { name: waiting, exact: true })).toHaveCount(0)

    await filter.getByRole('link', { name: 'Pending' }).click()
    await expect(owner).toHaveURL(/\?state=pending$/)
    await expect(section.getByRole('cell', { name: waiting, exact: true })).toBeVisible()
    await expect(section.getByRole('cell', { name: bounced, exact: true })).toHaveCount(0)

    await filter.getByRole('link', { name: 'Expired' }).click()
    await expect(owner).toHaveURL(/\?state=expired$/)
    await expect(section.getByText('No expired invitations.')).toBeVisible()
    await expectAccessible(owner)

    const email = await waitForEmail(waiting, /invited you to join/)
    const button = email.html.match(/<a\b[^>]*href="https?:\/\/[^"]*\/invitations\/[^"]*"[^>]*>([\s\S]*?)<\/a>/)
    expect(button?.[1].replaceAll('<!-- -->', '')).toContain(`Join ${orgName}`)
    expect(email.html).not.toContain('View invitation')
    expect(email.html.replaceAll('<!-- -->', '')).toContain('Sent by Cloud Dashboard')
    expect(email.html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1"\/?>/)
  })

  test('an invitation whose inviter lost the right is shown as no longer valid, flagged to admins, and valid again once re-issued', async ({ browser }) => {
    const owner = await newUserPage(browser)
    await signIn(owner, uniqueEmail('owner'))
    const orgName = `Lapsed Org ${Date.now()}`
    const slug = await createOrganization(owner, orgName)
    await openMembers(owner, slug)
    const inviterEmail = uniqueEmail('inviter')
    await invite(owner, inviterEmail, ['View members', 'Invite members'])
    const inviter = await joinAs(browser, inviterEmail, orgName)

    await openMembers(inviter, slug)
    const invitee = uniqueEmail('invitee')
    await invite(inviter, invitee, ['View members'])

    // The owner takes Invite members away from the inviter.
    await openMembers(owner, slug)
    await owner.getByRole('button', { name: `Edit permissions of ${inviterEmail}` }).click()
    const editor = owner.getByRole('dialog', { name: `Edit permissions of ${inviterEmail}` })
    await editor.getByRole('checkbox', { name: 'Invite members' }).uncheck()
    await editor.getByRole('button', { name: 'Save changes' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Permissions saved.' })).toBeVisible()

    // The invitee is not offered an Accept that would be refused.
    const page = await newUserPage(browser)
    await signIn(page, invitee)
    const prompt = page.getByRole('region', { name: `Invitation to join ${orgName}` })
    await expect(prompt).toContainText('No longer valid')
    await expect(prompt.getByRole('button', { name: 'Accept' })).toHaveCount(0)
    await expectAccessible(page)
    // The bell says the same.
    await page.getByRole('button', { name: /^Notifications/ }).click()
    const bellItem = page.locator('header').getByRole('region', { name: `Invitation to join ${orgName}` })
    await expect(bellItem).toContainText('No longer valid')
    await expect(bellItem.getByRole('button', { name: 'Accept' })).toHaveCount(0)
    await expectAccessible(page)
    const link = linkIn(await waitForEmail(invitee, /invited you to join/), INVITE_LINK)
    await page.goto(link)
    await expect(page.getByRole('heading', { level: 1, name: 'This invitation is no longer valid' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Accept' })).toHaveCount(0)
    await expectAccessible(page)

    // Admins see why, and one of them re-issues it by editing it (the editor becomes its inviter).
    await owner.reload()
    const row = owner.getByRole('region', { name: 'Invitations' }).getByRole('row').filter({ hasText: invitee })
    await expect(row.getByText('Inviter can no longer grant this')).toBeVisible()
    await expectAccessible(owner)
    await row.getByRole('button', { name: `Edit invitation to ${invitee}` }).click()
    const invitationEditor = owner.getByRole('dialog', { name: `Edit invitation to ${invitee}` })
    await invitationEditor.getByRole('checkbox', { name: 'Create projects' }).check()
    await invitationEditor.getByRole('button', { name: 'Save invitation' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Invitation updated.' })).toBeVisible()
    await owner.reload()
    await expect(row.getByText('Pending', { exact: true })).toBeVisible()

    await page.goto(link)
    await expect(page.getByRole('heading', { level: 1, name: `Join ${orgName}` })).toBeVisible()
    await page.getByRole('button', { name: 'Accept' }).click()
    await expect(page.getByRole('heading', { level: 1, name: orgName })).toBeVisible()
  })
})

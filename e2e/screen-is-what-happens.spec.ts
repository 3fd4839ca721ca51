import { expect, test, type Locator, type Page } from '@playwright/test'
import { createOrganization, expectAccessible, linkIn, newUserPage, signIn, uniqueEmail, waitForEmail } from './helpers'

// Issue 14: what the screen shows is what happens (the invite form, failed requests, the bell, focus).

const INVITE_LINK = /https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]{43}/
const UNREACHABLE = 'Could not reach the server. Nothing was changed; try again.'
const PERMISSIONS = ['View members', 'Invite members', 'Remove members', 'Manage member permissions', 'Create projects', 'Manage all projects']

async function openMembers(page: Page, slug: string) {
  await page.goto(`/orgs/${slug}/members`)
  await expect(page.getByRole('heading', { level: 2, name: /^Members/ })).toBeVisible()
}

async function openInviteDialog(page: Page) {
  await page.getByRole('button', { name: 'Invite Member' }).click()
  const dialog = page.getByRole('dialog', { name: 'Invite Member' })
  await expect(dialog).toBeVisible()
  return dialog
}

/** What the dialog shows: the ticked permissions and each project's chosen level. */
async function shownAccess(dialog: Locator, projects: string[]) {
  const permissions: string[] = []
  for (const label of PERMISSIONS) if (await dialog.getByRole('checkbox', { name: label }).isChecked()) permissions.push(label)
  const levels: Record<string, string> = {}
  for (const project of projects) {
    levels[project] = await dialog.getByLabel(project).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0].textContent ?? '')
  }
  return { permissions, levels }
}

/** The Invitations row of an address: its permissions cell as the list shows it. */
function pendingRow(page: Page, email: string) {
  return page.getByRole('region', { name: 'Invitations' }).getByRole('row').filter({ has: page.getByRole('cell', { name: email, exact: true }) })
}

/** Server actions POST to the page's own URL with a Next-Action header. */
async function failActions(page: Page) {
  await page.route('**/*', (route) => (route.request().method() === 'POST' && route.request().headers()['next-action'] ? route.abort('internetdisconnected') : route.continue()))
}

async function orgWithProject(page: Page, prefix: string) {
  const orgName = `${prefix} ${Date.now()}`
  const slug = await createOrganization(page, orgName)
  await page.getByRole('button', { name: 'Create project' }).click()
  await page.getByLabel('Project name').fill('Apollo')
  await page.getByRole('button', { name: 'Create', exact: true }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Project Apollo created.' })).toBeVisible()
  return { orgName, slug }
}

async function inviteOne(page: Page, email: string) {
  const dialog = await openInviteDialog(page)
  await dialog.getByLabel('Email address').fill(email)
  await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
  await expect(dialog.getByText(`${email}: invited`)).toBeVisible()
  await dialog.getByRole('button', { name: 'Close' }).click()
}

test.describe('what the screen shows is what happens', () => {
  test('the invite form sends what it shows, after an error, a partial failure and reopening', async ({ browser }) => {
    const adminEmail = uniqueEmail('admin')
    const admin = await newUserPage(browser)
    await signIn(admin, adminEmail)
    const { slug } = await orgWithProject(admin, 'Form Org')
    await openMembers(admin, slug)

    // An invalid address with boxes ticked and a project chosen: refused, and the choices stay on screen.
    let dialog = await openInviteDialog(admin)
    const field = dialog.getByLabel('Email address')
    await field.fill('not-an-address')
    await dialog.getByRole('checkbox', { name: 'View members' }).check()
    await dialog.getByRole('checkbox', { name: 'Create projects' }).check()
    await dialog.getByLabel('Apollo').selectOption({ label: 'Edit' })
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByRole('list', { name: 'Invitation results' }).getByText('not-an-address: not a valid email address')).toBeVisible()
    await expect(field).toHaveValue('not-an-address')
    await expect(field).toHaveAttribute('aria-invalid', 'true')
    await expect(field).toHaveAccessibleDescription(/not-an-address \(not a valid email address\)/)
    await expect(field).toBeFocused()
    await expectAccessible(admin)

    // A valid address, submitted as the screen stands: the invitation holds exactly what was shown.
    const shown = await shownAccess(dialog, ['Apollo'])
    const first = uniqueEmail('first')
    await field.fill(first)
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText(`${first}: invited`)).toBeVisible()
    await expect(dialog.getByText(`Invitation sent to ${first}.`)).toBeFocused()
    await expect(field).toHaveValue('')
    await expect(field).not.toHaveAttribute('aria-invalid', 'true')
    await dialog.getByRole('button', { name: 'Close' }).click()
    const firstRow = pendingRow(admin, first)
    await expect(firstRow).toHaveCount(1)
    await expect(firstRow).toContainText(`Member: ${shown.permissions.length ? shown.permissions.join(', ') : 'None'}`)
    if (shown.levels.Apollo === 'No access') await expect(firstRow).not.toContainText('Projects:')
    else await expect(firstRow).toContainText(`Projects: Apollo (${shown.levels.Apollo})`)
    expect((await waitForEmail(first, /invited you to join/)).text).toContain(shown.permissions.length ? shown.permissions[0] : 'None beyond membership')

    // Reopened: clean. Nothing ticked is what is sent.
    dialog = await openInviteDialog(admin)
    await expect(field).toHaveValue('')
    for (const label of PERMISSIONS) await expect(dialog.getByRole('checkbox', { name: label })).not.toBeChecked()
    await expect(dialog.getByLabel('Apollo')).toHaveValue(/:none$/)
    await expect(dialog.getByRole('list', { name: 'Invitation results' })).toHaveCount(0)
    await expectAccessible(admin)
    const bare = uniqueEmail('bare')
    await field.fill(bare)
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText(`${bare}: invited`)).toBeVisible()
    await dialog.getByRole('button', { name: 'Close' }).click()
    await expect(pendingRow(admin, bare)).toContainText('Member: None')
    await expect(pendingRow(admin, bare)).not.toContainText('Projects:')

    // A partial failure: the invited addresses leave the field, the rejected ones stay, each named;
    // duplicates are merged and the result says so.
    dialog = await openInviteDialog(admin)
    const second = uniqueEmail('second')
    const third = uniqueEmail('third')
    await field.fill(`${second}, ${second.toUpperCase()} ${third}\nbad-address ${adminEmail}`)
    await dialog.getByRole('checkbox', { name: 'View members' }).check()
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText('2 of 4 invited. See each address below. 5 entered, 4 distinct (duplicates merged).')).toBeVisible()
    await expect.poll(async () => (await field.inputValue()).split('\n').sort()).toEqual(['bad-address', adminEmail].sort())
    await expect(field).toHaveAttribute('aria-invalid', 'true')
    await expect(field).toHaveAccessibleDescription(/bad-address \(not a valid email address\).*already a member/)
    await expect(field).toBeFocused()
    await expect(dialog.getByRole('checkbox', { name: 'View members' })).toBeChecked()
    await expectAccessible(admin)
    await dialog.getByRole('button', { name: 'Close' }).click()
    await expect(pendingRow(admin, second)).toContainText('Member: View members')
    await expect(pendingRow(admin, third)).toContainText('Member: View members')
  })

  test('a failed request keeps the dialog, what was typed and the header, and says so', async ({ browser }) => {
    const admin = await newUserPage(browser)
    await signIn(admin, uniqueEmail('admin'))
    const { orgName, slug } = await orgWithProject(admin, 'Offline Org')
    await openMembers(admin, slug)
    const invitee = uniqueEmail('invitee')
    await inviteOne(admin, invitee)

    await failActions(admin)
    // The invite dialog.
    const dialog = await openInviteDialog(admin)
    const typed = uniqueEmail('typed')
    await dialog.getByLabel('Email address').fill(typed)
    await dialog.getByRole('checkbox', { name: 'View members' }).check()
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByRole('alert')).toHaveText(UNREACHABLE)
    await expect(dialog.getByLabel('Email address')).toHaveValue(typed)
    await expect(dialog.getByRole('checkbox', { name: 'View members' })).toBeChecked()
    await expect(admin.getByRole('button', { name: /^Notifications/ })).toBeVisible()
    await expectAccessible(admin)
    await dialog.getByRole('button', { name: 'Close' }).click()

    // Revoke: the confirmation stays open and says it.
    await admin.getByRole('button', { name: `Revoke invitation to ${invitee}` }).click()
    const confirm = admin.getByRole('dialog', { name: 'Revoke invitation?' })
    await confirm.getByRole('button', { name: 'Revoke invitation' }).click()
    await expect(confirm.getByRole('alert')).toHaveText(UNREACHABLE)
    await expectAccessible(admin)
    await confirm.getByRole('button', { name: 'Cancel' }).click()

    // Resend: said next to the button.
    await admin.getByRole('button', { name: `Resend invitation to ${invitee}` }).click()
    await expect(pendingRow(admin, invitee).getByRole('alert')).toHaveText(UNREACHABLE)
    await expectAccessible(admin)

    // Create project keeps the name typed.
    await admin.goto(`/orgs/${slug}`)
    await admin.getByRole('button', { name: 'Create project' }).click()
    const create = admin.getByRole('dialog', { name: 'Create project' })
    await create.getByLabel('Project name').fill('Hermes')
    await create.getByRole('button', { name: 'Create', exact: true }).click()
    await expect(create.getByText(UNREACHABLE)).toBeVisible()
    await expect(create.getByLabel('Project name')).toHaveValue('Hermes')
    await expect(admin.getByRole('heading', { level: 1, name: orgName })).toBeVisible()
    await expectAccessible(admin)

    // With the network back, the same dialog goes through.
    await admin.unrouteAll()
    await create.getByRole('button', { name: 'Create', exact: true }).click()
    await expect(admin.getByRole('status').filter({ hasText: 'Project Hermes created.' })).toBeVisible()

    // The invitee's Accept on the Dashboard.
    const person = await newUserPage(browser)
    await signIn(person, invitee)
    const prompt = person.getByRole('region', { name: `Invitation to join ${orgName}` })
    await expect(prompt).toBeVisible()
    await expect(prompt.getByRole('button', { name: 'Accept' })).toBeEnabled()
    await failActions(person)
    await prompt.getByRole('button', { name: 'Accept' }).click()
    await expect(prompt.getByRole('alert')).toHaveText(UNREACHABLE)
    await expect(prompt.getByRole('button', { name: 'Accept' })).toBeVisible()
    await expectAccessible(person)
  })

  test('joining from the emailed link refreshes the bell and says so', async ({ browser }) => {
    const admin = await newUserPage(browser)
    await signIn(admin, uniqueEmail('admin'))
    const orgName = `Bell Org ${Date.now()}`
    const slug = await createOrganization(admin, orgName)
    await openMembers(admin, slug)
    const newcomer = uniqueEmail('newcomer')
    await inviteOne(admin, newcomer)
    const link = linkIn(await waitForEmail(newcomer, /invited you to join/), INVITE_LINK)

    const page = await newUserPage(browser)
    await page.goto(link)
    await page.getByRole('button', { name: `Continue as ${newcomer}` }).click()
    await expect(page.getByRole('button', { name: 'Notifications, 1 open invitation' })).toBeVisible()
    await page.getByRole('button', { name: 'Accept' }).click()
    await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`))
    await expect(page.getByRole('heading', { level: 1, name: orgName })).toBeVisible()
    await expect(page.getByRole('status').filter({ hasText: `You joined ${orgName}.` })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Notifications, no open invitations' })).toBeVisible()
    await expectAccessible(page)
    await page.getByRole('link', { name: 'Cloud Dashboard' }).click()
    await expect(page.getByRole('region', { name: 'Organization Overview' }).getByRole('link', { name: orgName })).toBeVisible()
    await expect(page.getByRole('region', { name: `Invitation to join ${orgName}` })).toHaveCount(0)
  })

  test('focus lands somewhere meaningful after Accept, Decline and Revoke; the bell closes when focus leaves', async ({ browser }) => {
    const admin = await newUserPage(browser)
    await signIn(admin, uniqueEmail('admin'))
    const orgA = `Focus A ${Date.now()}`
    const slugA = await createOrganization(admin, orgA)
    const orgB = `Focus B ${Date.now()}`
    const slugB = await createOrganization(admin, orgB)
    const onDashboard = uniqueEmail('dash')
    const inBell = uniqueEmail('bell')
    const spare = uniqueEmail('spare')
    for (const slug of [slugA, slugB]) {
      await openMembers(admin, slug)
      await inviteOne(admin, onDashboard)
      await inviteOne(admin, inBell)
    }
    await inviteOne(admin, spare)

    // Revoke: focus goes to the next row (newest first: spare, inBell, onDashboard), not the page body.
    await admin.getByRole('button', { name: `Revoke invitation to ${inBell}` }).click()
    await admin.getByRole('dialog', { name: 'Revoke invitation?' }).getByRole('button', { name: 'Revoke invitation' }).click()
    await expect(pendingRow(admin, inBell)).toHaveCount(0)
    await expect(admin.getByRole('button', { name: `Edit invitation to ${onDashboard}` })).toBeFocused()
    await expectAccessible(admin)

    // Dashboard: Decline leaves the other prompt, focus on the Invitations heading; Accept goes to
    // Organization Overview, where the organization now is.
    const person = await newUserPage(browser)
    await signIn(person, onDashboard)
    const promptA = person.getByRole('region', { name: `Invitation to join ${orgA}` })
    await expect(promptA.getByRole('button', { name: 'Decline' })).toBeEnabled()
    await promptA.getByRole('button', { name: 'Decline' }).click()
    await expect(promptA).toHaveCount(0)
    await expect(person.getByRole('heading', { name: 'Invitations', exact: true })).toBeFocused()
    await person.getByRole('region', { name: `Invitation to join ${orgB}` }).getByRole('button', { name: 'Accept' }).click()
    await expect(person.getByRole('heading', { name: 'Organization Overview' })).toBeFocused()
    await expect(person.getByRole('region', { name: 'Organization Overview' }).getByRole('link', { name: orgB })).toBeVisible()
    await expectAccessible(person)

    // The bell: after an answer, focus is on the panel's heading and the panel stays open.
    const other = await newUserPage(browser)
    await signIn(other, inBell)
    const bell = other.getByRole('button', { name: 'Notifications, 1 open invitation' })
    await expect(bell).toBeEnabled()
    await bell.click()
    const panel = other.locator(`[id="${await bell.getAttribute('aria-controls')}"]`)
    await expect(panel).toBeVisible()
    await panel.getByRole('button', { name: 'Decline' }).click()
    await expect(other.getByRole('button', { name: 'Notifications, no open invitations' })).toBeVisible()
    await expect(panel.getByRole('heading', { name: 'Open invitations' })).toBeFocused()
    await expect(panel).toBeVisible()
    await expectAccessible(other)

    // Escape closes it and returns focus to the bell; focus moving out closes it too.
    await other.keyboard.press('Escape')
    await expect(panel).toBeHidden()
    await expect(other.getByRole('button', { name: /^Notifications/ })).toBeFocused()
    await other.keyboard.press('Enter')
    await expect(panel).toBeVisible()
    await other.getByRole('button', { name: /^Account: / }).focus()
    await expect(panel).toBeHidden()
  })

  test('the bell accepts from the panel; on a 390 px phone the panel fits the screen', async ({ browser }) => {
    const admin = await newUserPage(browser)
    await signIn(admin, uniqueEmail('admin'))
    const orgName = `Phone Org ${Date.now()}`
    const slug = await createOrganization(admin, orgName)
    await openMembers(admin, slug)
    const invitee = uniqueEmail('phone')
    await inviteOne(admin, invitee)

    const phone = await newUserPage(browser)
    await phone.setViewportSize({ width: 390, height: 844 })
    await signIn(phone, invitee)
    const bell = phone.getByRole('button', { name: 'Notifications, 1 open invitation' })
    await expect(bell).toBeEnabled()
    await bell.click()
    const item = phone.locator('header').getByRole('region', { name: `Invitation to join ${orgName}` })
    await expect(item).toBeVisible()
    const panel = phone.locator(`[id="${await bell.getAttribute('aria-controls')}"]`)
    const box = await panel.boundingBox()
    expect(box).not.toBeNull()
    expect(box!.x).toBeGreaterThanOrEqual(0)
    expect(box!.x + box!.width).toBeLessThanOrEqual(390)
    const accept = item.getByRole('button', { name: 'Accept' })
    const acceptBox = await accept.boundingBox()
    expect(acceptBox!.x).toBeGreaterThanOrEqual(0)
    expect(acceptBox!.x + acceptBox!.width).toBeLessThanOrEqual(390)
    await expectAccessible(phone)
    await accept.click()
    await expect(phone.getByRole('status').filter({ hasText: `You joined ${orgName}.` })).toBeVisible()
    await expect(phone.getByRole('button', { name: 'Notifications, no open invitations' })).toBeVisible()
    await expect(panel.getByRole('heading', { name: 'Open invitations' })).toBeFocused()
    await expect(phone.getByRole('region', { name: 'Organization Overview' }).getByRole('link', { name: orgName })).toBeVisible()
  })
})

import { expect, test, type Browser, type Page } from '@playwright/test'
import { createOrganization, expectAccessible, newUserPage, signIn, uniqueEmail } from './helpers'

/** An owner with an organization, and a member who joined it through an invitation with the given permissions. */
async function orgWithMember(browser: Browser, permissions: string[] = []) {
  const owner = await newUserPage(browser)
  const ownerEmail = uniqueEmail('owner')
  await signIn(owner, ownerEmail)
  const orgName = `Team ${Date.now()}`
  const slug = await createOrganization(owner, orgName)
  const { member, memberEmail } = await inviteAndJoin(browser, owner, { slug, orgName, permissions })
  return { owner, ownerEmail, member, slug, orgName, memberEmail }
}

/** The owner invites a new address from the Members tab; its holder signs in and accepts on the Dashboard. */
async function inviteAndJoin(
  browser: Browser,
  owner: Page,
  { slug, orgName, permissions = [], role = 'Member' }: { slug: string; orgName: string; permissions?: string[]; role?: 'Member' | 'Admin' },
) {
  await owner.goto(`/orgs/${slug}/members`)
  await owner.getByRole('button', { name: 'Invite Member' }).click()
  const dialog = owner.getByRole('dialog', { name: 'Invite Member' })
  const memberEmail = uniqueEmail(role.toLowerCase())
  await dialog.getByLabel('Email address').fill(memberEmail)
  await dialog.getByRole('radio', { name: role }).check()
  for (const label of permissions) await dialog.getByRole('checkbox', { name: label }).check()
  await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
  await expect(dialog.getByText(`${memberEmail}: invited`)).toBeVisible()
  await dialog.getByRole('button', { name: 'Close' }).click()
  const member = await newUserPage(browser)
  await signIn(member, memberEmail)
  await member.getByRole('region', { name: `Invitation to join ${orgName}` }).getByRole('button', { name: 'Accept' }).click()
  await expect(member.getByRole('status').filter({ hasText: `You joined ${orgName}.` })).toBeVisible()
  return { member, memberEmail }
}

async function openMembers(page: Page, slug: string) {
  await page.goto(`/orgs/${slug}/members`)
  await expect(page.getByRole('heading', { level: 2, name: /^Members/ })).toBeVisible()
}

test.describe('managing members and project access', () => {
  test('the inviter’s bell shows the accept; changed permissions change what the member can do', async ({ browser }) => {
    const { owner, member, slug, memberEmail } = await orgWithMember(browser)

    // The inviter is told in-app, and opening the bell marks it read.
    await owner.goto('/dashboard')
    const bell = owner.getByRole('button', { name: /^Notifications, no open invitations, 1 unread$/ })
    await bell.click()
    await expect(owner.getByRole('list', { name: 'Updates' }).getByText(`${memberEmail} accepted your invitation`)).toBeVisible()
    await expect(owner.getByRole('button', { name: 'Notifications, no open invitations' })).toBeVisible()

    // Without members:read the member sees the "no access" state.
    await openMembers(member, slug)
    await expect(member.getByText('You do not have access to the member list of this organization.')).toBeVisible()

    // The owner grants View members and Invite members.
    await openMembers(owner, slug)
    await owner.getByRole('button', { name: `Edit permissions of ${memberEmail}` }).click()
    const editor = owner.getByRole('dialog', { name: `Edit permissions of ${memberEmail}` })
    await editor.getByRole('checkbox', { name: 'View members' }).check()
    await editor.getByRole('checkbox', { name: 'Invite members' }).check()
    await expectAccessible(owner)
    await editor.getByRole('button', { name: 'Save changes' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Permissions saved.' })).toBeVisible()

    await openMembers(member, slug)
    await expect(member.getByRole('button', { name: 'Invite Member' })).toBeVisible()
    await expect(member.getByRole('button', { name: /^Edit permissions of/ })).toHaveCount(0)
    await expectAccessible(member)
  })

  test('granting project access makes the project appear in the member’s Projects tab', async ({ browser }) => {
    const { owner, member, slug, memberEmail } = await orgWithMember(browser)
    await owner.goto(`/orgs/${slug}`)
    await owner.getByRole('button', { name: 'Create project' }).click()
    await owner.getByLabel('Project name').fill('Zephyr')
    await owner.getByRole('button', { name: 'Create', exact: true }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Project Zephyr created.' })).toBeVisible()

    await member.goto(`/orgs/${slug}`)
    await expect(member.getByText('you have not been given access to any of its projects yet', { exact: false })).toBeVisible()

    await owner.getByRole('link', { name: 'Zephyr' }).click()
    await expect(owner.getByRole('heading', { level: 2, name: 'Project: Zephyr' })).toBeVisible()
    await owner.getByLabel('Member email').fill(memberEmail)
    await owner.getByLabel('Access level').selectOption({ label: 'Edit' })
    await owner.getByRole('button', { name: 'Grant access' }).click()
    await expect(owner.getByRole('row').filter({ hasText: memberEmail })).toBeVisible()
    await expectAccessible(owner)

    await member.reload()
    await expect(member.getByRole('link', { name: 'Zephyr' })).toBeVisible()
    await member.getByRole('link', { name: 'Zephyr' }).click()
    await expect(member.getByText('Your access: Edit')).toBeVisible()
    await expect(member.getByRole('button', { name: 'Delete project' })).toHaveCount(0)

    // Removing the access hides it again.
    await owner.getByRole('button', { name: `Remove access of ${memberEmail}` }).click()
    await owner.getByRole('dialog', { name: 'Remove project access?' }).getByRole('button', { name: 'Remove access' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Access removed.' })).toBeVisible()
    await member.goto(`/orgs/${slug}`)
    await expect(member.getByRole('link', { name: 'Zephyr' })).toHaveCount(0)
  })

  test('a member leaves; the audit log shows what happened', async ({ browser }) => {
    const { owner, member, slug, orgName } = await orgWithMember(browser)
    await openMembers(member, slug)
    await member.getByRole('button', { name: 'Leave organization' }).click()
    await member.getByRole('dialog', { name: 'Leave this organization?' }).getByRole('button', { name: 'Leave' }).click()
    await expect(member).toHaveURL(/\/dashboard$/)
    await expect(member.getByRole('region', { name: 'Organization Overview' }).getByRole('link', { name: orgName })).toHaveCount(0)

    // The last owner cannot leave: the button says so before anything is tried.
    await openMembers(owner, slug)
    await expect(owner.getByRole('button', { name: 'Leave organization' })).toBeDisabled()
    await expect(owner.getByRole('button', { name: 'Leave organization' })).toHaveAccessibleDescription(/last owner/i)

    await owner.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Audit log' }).click()
    const log = owner.getByRole('table')
    for (const action of ['Member left', 'Invitation accepted', 'Invitation created', 'Organization created']) {
      await expect(log.getByRole('cell', { name: action, exact: true }).first()).toBeVisible()
    }
    await owner.getByLabel('Action').selectOption({ label: 'Member left' })
    await owner.getByRole('button', { name: 'Filter' }).click()
    await expect(log.getByRole('cell', { name: 'Invitation created', exact: true })).toHaveCount(0)
    await expect(log.getByRole('cell', { name: 'Member left', exact: true })).toHaveCount(1)
    await expectAccessible(owner)
  })
})

test.describe('invitations after joining: edit, re-invite, seat limit', () => {
  test('edit a pending invitation; the same link offers the new permissions', async ({ browser }) => {
    const owner = await newUserPage(browser)
    await signIn(owner, uniqueEmail('owner'))
    const slug = await createOrganization(owner, `Edit Org ${Date.now()}`)
    await openMembers(owner, slug)
    const invitee = uniqueEmail('edited')
    await owner.getByRole('button', { name: 'Invite Member' }).click()
    const dialog = owner.getByRole('dialog', { name: 'Invite Member' })
    await dialog.getByLabel('Email address').fill(invitee)
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText(`${invitee}: invited`)).toBeVisible()
    await dialog.getByRole('button', { name: 'Close' }).click()

    await owner.getByRole('button', { name: `Edit invitation to ${invitee}` }).click()
    const editor = owner.getByRole('dialog', { name: `Edit invitation to ${invitee}` })
    await editor.getByRole('checkbox', { name: 'Create projects' }).check()
    await expectAccessible(owner)
    await editor.getByRole('button', { name: 'Save invitation' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Invitation updated.' })).toBeVisible()
    await expect(owner.getByRole('row').filter({ hasText: invitee })).toContainText('Create projects')
  })

  test('re-inviting a former member offers their previous permissions; a full organization says so', async ({ browser }) => {
    const { owner, slug, memberEmail } = await orgWithMember(browser, ['View members', 'Create projects'])
    await openMembers(owner, slug)
    await owner.getByRole('button', { name: `Remove ${memberEmail}` }).click()
    await owner.getByRole('dialog', { name: 'Remove this member?' }).getByRole('button', { name: 'Remove member' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Member removed.' })).toBeVisible()
    await expect(owner.getByRole('cell', { name: memberEmail, exact: true })).toHaveCount(0)

    // Seat limit 1: only the owner fits.
    await owner.getByLabel('Seat limit').fill('1')
    await owner.getByRole('button', { name: 'Save seat limit' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Seat limit set to 1.' })).toBeVisible()

    await owner.getByRole('button', { name: 'Invite Member' }).click()
    const dialog = owner.getByRole('dialog', { name: 'Invite Member' })
    await dialog.getByLabel('Email address').fill(memberEmail)
    await dialog.getByLabel('Email address').blur()
    await dialog.getByRole('button', { name: 'Use previous permissions' }).click()
    await expect(dialog.getByRole('checkbox', { name: 'View members' })).toBeChecked()
    await expect(dialog.getByRole('checkbox', { name: 'Create projects' })).toBeChecked()
    await expect(dialog.getByRole('checkbox', { name: 'Invite members' })).not.toBeChecked()
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText(`${memberEmail}: not sent: the organization has no free seats`)).toBeVisible()

    // With room again, the invitation goes out.
    await dialog.getByRole('button', { name: 'Close' }).click()
    await owner.getByLabel('Seat limit').fill('')
    await owner.getByRole('button', { name: 'Save seat limit' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Seat limit removed.' })).toBeVisible()
    // A reopened dialog starts clean (issue 14): the address is entered again.
    await owner.getByRole('button', { name: 'Invite Member' }).click()
    await expect(dialog.getByLabel('Email address')).toHaveValue('')
    await dialog.getByLabel('Email address').fill(memberEmail)
    await dialog.getByRole('checkbox', { name: 'View members' }).check()
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText(`${memberEmail}: invited`)).toBeVisible()
  })

  test('an owner makes another member owner', async ({ browser }) => {
    const { owner, member, slug, memberEmail } = await orgWithMember(browser)
    await openMembers(owner, slug)
    await owner.getByRole('button', { name: `Make owner: ${memberEmail}` }).click()
    await owner.getByRole('dialog', { name: 'Make this member an owner?' }).getByRole('button', { name: 'Make owner' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'They are now an owner.' })).toBeVisible()
    await expect(owner.getByRole('row').filter({ hasText: memberEmail }).getByRole('cell', { name: 'Owner', exact: true })).toBeVisible()
    await openMembers(member, slug)
    await expect(member.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Audit log' })).toBeVisible()
  })

  // Issue 16: the row offers what memberCapabilities allows; an owner may change another owner
  // (the server always allowed it), which the row used to hide.
  test('an owner steps another owner down to admin from the row’s Edit', async ({ browser }) => {
    const { owner, slug, memberEmail } = await orgWithMember(browser)
    await openMembers(owner, slug)
    await owner.getByRole('button', { name: `Make owner: ${memberEmail}` }).click()
    await owner.getByRole('dialog', { name: 'Make this member an owner?' }).getByRole('button', { name: 'Make owner' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'They are now an owner.' })).toBeVisible()
    const row = owner.getByRole('row').filter({ hasText: memberEmail })
    await expect(row.getByRole('button', { name: `Make owner: ${memberEmail}` })).toHaveCount(0)
    await row.getByRole('button', { name: `Edit permissions of ${memberEmail}` }).click()
    const editor = owner.getByRole('dialog', { name: `Edit permissions of ${memberEmail}` })
    await expect(editor.getByRole('radio', { name: 'Admin' })).toBeChecked()
    await expectAccessible(owner)
    await editor.getByRole('button', { name: 'Save changes' }).click()
    await expect(owner.getByRole('status').filter({ hasText: 'Permissions saved.' })).toBeVisible()
    await expect(row.getByRole('cell', { name: 'Admin', exact: true })).toBeVisible()
  })
})

// Issue 15: what the Members tab offers follows the data layer's verdict per row.
test.describe('hostile input on the Members tab', () => {
  test('a member holding Remove members sees Remove only on rows within their own rights', async ({ browser }) => {
    const { owner, ownerEmail, member, slug, orgName, memberEmail } = await orgWithMember(browser, ['View members', 'Remove members'])
    const { memberEmail: adminEmail } = await inviteAndJoin(browser, owner, { slug, orgName, role: 'Admin' })
    const { memberEmail: plainEmail } = await inviteAndJoin(browser, owner, { slug, orgName })

    await openMembers(member, slug)
    await expect(member.getByRole('row').filter({ hasText: adminEmail })).toBeVisible()
    await expect(member.getByRole('button', { name: `Remove ${adminEmail}` })).toHaveCount(0)
    await expect(member.getByRole('button', { name: `Remove ${ownerEmail}` })).toHaveCount(0)
    await expect(member.getByRole('button', { name: `Remove ${memberEmail}` })).toHaveCount(0)
    await expect(member.getByRole('button', { name: `Remove ${plainEmail}` })).toBeVisible()
    await expectAccessible(member)
    await member.getByRole('button', { name: `Remove ${plainEmail}` }).click()
    await member.getByRole('dialog', { name: 'Remove this member?' }).getByRole('button', { name: 'Remove member' }).click()
    await expect(member.getByRole('status').filter({ hasText: 'Member removed.' })).toBeVisible()
  })

  test('inviting a Cyrillic lookalike of a member’s address is not sent, and says whose address it looks like', async ({ browser }) => {
    const { owner, slug, memberEmail } = await orgWithMember(browser)
    const lookalike = memberEmail.replace('e', '\u0435') // Cyrillic е
    await openMembers(owner, slug)
    await owner.getByRole('button', { name: 'Invite Member' }).click()
    const dialog = owner.getByRole('dialog', { name: 'Invite Member' })
    await dialog.getByLabel('Email address').fill(lookalike)
    await dialog.getByRole('button', { name: 'Invite', exact: true }).click()
    await expect(dialog.getByText(`${lookalike}: not sent: looks like ${memberEmail}; check it`)).toBeVisible()
    await expectAccessible(owner)
  })
})

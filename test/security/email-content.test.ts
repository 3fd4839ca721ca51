// Issue 5, item 9: names of organizations, inviters and projects with HTML, quotes, newlines and
// very long text are stored verbatim (no escaping, so no double escaping later) and rendered
// escaped in the invitation email (lib/email/render.tsx through createInvitations); each email
// has exactly one recipient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { auditEvents, emailOutbox, organizations, projects, users } from '@/db/schema'
import { createInvitations } from '@/lib/data/invitations/create-invitations'
import { getInvitationByToken } from '@/lib/data/invitations/get-invitation-by-token'
import { tokenOfEmail } from '@/lib/data/invitations.test-support'
import { createOrganization } from '@/lib/data/organizations'
import { isValidEmail } from '@/lib/validations/common'
import { createOrganizationSchema } from '@/lib/validations/organization'
import { createTestDb, type TestDb } from '@/test/db'
import { config, createNamedUser, uniqueEmail } from './fixtures'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

// React escapes these five in text and attributes.
const escapeHtml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#x27;')
const withoutComments = (html: string) => html.replaceAll('<!-- -->', '')

const hostileOrgNames = [
  `<script>alert("org")</script>`,
  `O'Brien & <Sons> "Ltd"`,
  `<img src=x onerror=alert(1)> &amp; &lt;b&gt;`,
  `Acme\r\nBcc: victim@example.com`,
  `${'<b>'.repeat(26)}x`, // 79 characters once trimmed: as long as the form allows
]
const hostileInviterNames = [`Eve "<i>the</i>" O'Hacker`, `Eve\r\n\r\n<a href="https://evil.example">click</a>`, `${'Ä<'.repeat(2500)}`]

async function inviteWith(orgName: string, inviterName: string) {
  const owner = await createNamedUser(t.db, 'owner', inviterName)
  const org = await createOrganization(t.db, { name: orgName, userId: owner.id })
  const [project] = await t.db.insert(projects).values({ organizationId: org.id, name: `<em>"P'1"</em>` }).returning({ id: projects.id, name: projects.name })
  const email = uniqueEmail('to')
  const r = await createInvitations(
    t.db,
    { orgId: org.id, actorId: owner.id, emails: [email], role: 'member', permissions: ['members:read'], projectGrants: [{ projectId: project.id, level: 'edit' }] },
    config,
  )
  if (!r.ok) throw new Error(r.message)
  const [mail] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, r.emailIds[0]))
  return { owner, org, project, email, mail, token: await tokenOfEmail(t.db, r.emailIds[0]) }
}

describe('hostile names in the invitation email', () => {
  for (const raw of hostileOrgNames) {
    for (const inviterName of hostileInviterNames) {
      it(`org ${JSON.stringify(raw.slice(0, 40))} × inviter ${JSON.stringify(inviterName.slice(0, 30))}`, async () => {
        // The organization name as the create form hands it over (trimmed, whitespace collapsed).
        const orgName = createOrganizationSchema.parse({ name: raw }).name
        const { owner, org, project, email, mail, token } = await inviteWith(orgName, inviterName)

        // Stored verbatim: no HTML escaping in the database.
        const [storedOrg] = await t.db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, org.id))
        expect(storedOrg.name).toBe(orgName)
        const [storedUser] = await t.db.select({ name: users.name }).from(users).where(eq(users.id, owner.id))
        expect(storedUser.name).toBe(inviterName)
        const [created] = await t.db.select({ data: auditEvents.data }).from(auditEvents).where(eq(auditEvents.targetId, org.id))
        expect(created.data).toEqual({ name: orgName })
        expect((await getInvitationByToken(t.db, token))?.organization.name).toBe(orgName)

        // Escaped once in the HTML: no live markup, no double escaping, the escaped name present.
        const html = withoutComments(mail.html)
        const body = html.slice(html.indexOf('<body'))
        const oneLine = (s: string) => s.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim()
        expect(body).not.toMatch(/<script|<img|<a href="https:\/\/evil|<Sons>|<b><b>|<em>"P/i)
        for (const name of [oneLine(orgName), oneLine(inviterName), project.name]) {
          if (!/[<>"'&]/.test(name)) continue
          expect(body).not.toContain(name) // raw
          expect(body).not.toContain(escapeHtml(escapeHtml(name))) // escaped twice
        }
        expect(body).toContain(escapeHtml(oneLine(orgName)))
        expect(body).toContain(escapeHtml(oneLine(inviterName)))
        expect(body).toContain(escapeHtml(project.name))

        // No header injection: one line of subject, one recipient.
        expect(mail.subject).not.toMatch(/[\r\n]/)
        expect(mail.text.split('\n')).not.toContain('Bcc: victim@example.com')
        expect(mail.recipient).toBe(email)
        expect(mail.text).toContain(oneLine(orgName))
      })
    }
  }

  it('names that look already escaped are not unescaped either', async () => {
    const orgName = createOrganizationSchema.parse({ name: 'Tom &amp; Jerry &lt;3' }).name
    const { mail, org } = await inviteWith(orgName, 'Ann &quot;A&quot;')
    expect(mail.html).toContain('Tom &amp;amp; Jerry &amp;lt;3')
    expect(mail.text).toContain('Tom &amp; Jerry &lt;3')
    expect(mail.subject).toBe('Ann &quot;A&quot; invited you to join Tom &amp; Jerry &lt;3')
    const [stored] = await t.db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, org.id))
    expect(stored.name).toBe('Tom &amp; Jerry &lt;3')
  })
})

describe('one recipient per email', () => {
  it('a list of addresses, however separated or disguised, becomes one email per valid address', async () => {
    const owner = await createNamedUser(t.db, 'owner', 'Owner')
    const org = await createOrganization(t.db, { name: 'Recipients', userId: owner.id })
    const a = uniqueEmail('a')
    const b = uniqueEmail('b')
    const c = uniqueEmail('c')
    // As inviteSchema splits the field: commas, semicolons, whitespace (CR/LF included).
    const emails = [a, b, `${c}\r\nbcc:${uniqueEmail('x')}`, `"${uniqueEmail('q')}"`, `<${uniqueEmail('angle')}>`, `${uniqueEmail('d')},${uniqueEmail('e')}`]
      .flatMap((e) => e.split(/[\s,;]+/))
      .filter(Boolean)
    const r = await createInvitations(t.db, { orgId: org.id, actorId: owner.id, emails, role: 'member', permissions: [], projectGrants: [] }, config)
    if (!r.ok) throw new Error(r.message)
    const invited = r.results.filter((x) => x.outcome === 'invited').map((x) => x.email)
    expect(invited).toEqual(expect.arrayContaining([a, b, c]))
    const mails = await Promise.all(r.emailIds.map(async (id) => (await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id)))[0]))
    expect(mails).toHaveLength(invited.length)
    expect(mails.map((m) => m.recipient).sort()).toEqual([...invited].sort())
    for (const m of mails) {
      expect(isValidEmail(m.recipient)).toBe(true)
      expect(m.recipient).not.toMatch(/[\s,;<>"]/)
    }
    for (const x of r.results.filter((x) => x.outcome === 'invalid')) expect(isValidEmail(x.email)).toBe(false)
  })
})

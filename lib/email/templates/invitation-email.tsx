import { Button, Heading, Link, Section, Text } from '@react-email/components'
import type { ProjectLevel } from '@/lib/permissions'
import { EmailLayout, PRODUCT_NAME, styles } from './layout'

export interface InvitationEmailProps {
  orgName: string
  inviterName: string | null
  inviterEmail: string
  role: 'admin' | 'member'
  permissionLabels: string[]
  projectGrants: { name: string; level: ProjectLevel }[]
  url: string
  expiresAt: Date
}

// Names come from users; line breaks and control characters must not reach a header or reshape the text.
const oneLine = (s: string) => s.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim()

function inviterLabel({ inviterName, inviterEmail }: Pick<InvitationEmailProps, 'inviterName' | 'inviterEmail'>): string {
  const name = inviterName ? oneLine(inviterName) : ''
  return name || oneLine(inviterEmail)
}

const roleLabel = (role: InvitationEmailProps['role']) => (role === 'admin' ? 'Admin' : 'Member')
const levelLabel = (level: ProjectLevel) => ({ view: 'View', edit: 'Edit', admin: 'Admin' })[level]

// Built once: constructing an Intl.DateTimeFormat costs more than the rest of formatting (it was
// the largest single cost of an invite in the server's CPU profile).
const expiryFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC', hourCycle: 'h23' })

/** The expiry as a date and time in UTC, so every reader sees the same moment spelled the same way. */
export function formatExpiry(date: Date): string {
  return `${expiryFormat.format(date)} UTC`
}

export function invitationSubject(props: Pick<InvitationEmailProps, 'inviterName' | 'inviterEmail' | 'orgName'>): string {
  return `${inviterLabel(props)} invited you to join ${oneLine(props.orgName)}`
}

/** The sentences both parts share, each on one line. */
function describeInvitation(props: InvitationEmailProps) {
  const org = oneLine(props.orgName)
  const inviter = inviterLabel(props)
  const inviterWithEmail = inviter === oneLine(props.inviterEmail) ? inviter : `${inviter} (${oneLine(props.inviterEmail)})`
  const permissions =
    props.role === 'admin'
      ? 'all organization permissions'
      : props.permissionLabels.length > 0
        ? props.permissionLabels.map(oneLine).join(', ')
        : 'none yet (they can be granted later)'
  const projects = props.projectGrants.map((g) => `${oneLine(g.name)} (${levelLabel(g.level)})`).join(', ')
  return {
    org,
    invited: `${inviterWithEmail} invited you to join the organization ${org} as ${props.role === 'admin' ? 'an' : 'a'} ${roleLabel(props.role)}.`,
    permissions,
    projects,
    expiry: `This invitation expires on ${formatExpiry(props.expiresAt)}.`,
  }
}

export function InvitationEmail(props: InvitationEmailProps) {
  const { url } = props
  const d = describeInvitation(props)
  return (
    <EmailLayout preview={invitationSubject(props)}>
      <Heading as="h1" style={styles.heading}>
        Join {d.org}
      </Heading>
      <Text style={styles.text}>{d.invited}</Text>
      <Text style={styles.text}>
        <strong>Permissions:</strong> {d.permissions}
      </Text>
      {d.projects && (
        <Text style={styles.text}>
          <strong>Project access:</strong> {d.projects}
        </Text>
      )}
      <Section style={{ margin: '0 0 24px' }}>
        {/* Says what it does (issue 14); the page it opens still asks to accept or decline. */}
        <Button href={url} style={styles.button}>
          Join {d.org}
        </Button>
      </Section>
      <Text style={styles.muted}>{d.expiry} If the button does not work, open this address in your browser:</Text>
      <Text style={styles.muted}>
        <Link href={url} style={styles.link}>
          {url}
        </Link>
      </Text>
      <Text style={styles.muted}>If you were not expecting this invitation, you can ignore this email.</Text>
    </EmailLayout>
  )
}

/** The plain-text part, written out so the link stands on its own line. */
export function invitationText(props: InvitationEmailProps): string {
  const d = describeInvitation(props)
  return [
    `Join ${d.org} on ${PRODUCT_NAME}`,
    '',
    d.invited,
    '',
    `Permissions: ${d.permissions}`,
    ...(d.projects ? [`Project access: ${d.projects}`] : []),
    '',
    'Open this link to accept or decline:',
    props.url,
    '',
    d.expiry,
    'If you were not expecting this invitation, you can ignore this email.',
  ].join('\n')
}

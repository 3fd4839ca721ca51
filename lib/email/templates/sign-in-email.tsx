import { Button, Heading, Link, Section, Text } from '@react-email/components'
import { EmailLayout, styles } from './layout'

export interface SignInEmailProps {
  url: string
  host: string
  expiresInMinutes: number
}

export function signInSubject({ host }: Pick<SignInEmailProps, 'host'>): string {
  return `Sign in to ${host}`
}

export function SignInEmail({ url, host, expiresInMinutes }: SignInEmailProps) {
  return (
    <EmailLayout preview={signInSubject({ host })}>
      <Heading as="h1" style={styles.heading}>
        Sign in to {host}
      </Heading>
      <Text style={styles.text}>Use the button below to sign in.</Text>
      <Section style={{ margin: '0 0 24px' }}>
        <Button href={url} style={styles.button}>
          Sign in
        </Button>
      </Section>
      <Text style={styles.muted}>
        This link works once and expires in {expiresInMinutes} minutes. If the button does not work, open this
        address in your browser:
      </Text>
      <Text style={styles.muted}>
        <Link href={url} style={styles.link}>
          {url}
        </Link>
      </Text>
      <Text style={styles.muted}>If you did not ask to sign in, you can ignore this email.</Text>
    </EmailLayout>
  )
}

/** The plain-text part, written out rather than derived from the HTML so the link stands on its own line. */
export function signInText({ url, host, expiresInMinutes }: SignInEmailProps): string {
  return [
    `Sign in to ${host}`,
    '',
    'Open this link to sign in:',
    url,
    '',
    `This link works once and expires in ${expiresInMinutes} minutes.`,
    'If you did not ask to sign in, you can ignore this email.',
  ].join('\n')
}

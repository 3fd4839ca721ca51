import type { ReactNode } from 'react'
import { Body, Container, Head, Hr, Html, Preview, Section, Text } from '@react-email/components'

/** What the footer names as the sender: the product people know, not the host it runs on (issue 14). */
export const PRODUCT_NAME = 'Cloud Dashboard'

export interface EmailLayoutProps {
  /** The inbox preview line. */
  preview: string
  children: ReactNode
}

/** The frame every email shares, so the sign-in and invitation emails look alike. */
export function EmailLayout({ preview, children }: EmailLayoutProps) {
  return (
    <Html lang="en">
      <Head>
        {/* Without it, mail apps on phones render the 480 px layout zoomed out. */}
        <meta name="viewport" content="width=device-width, initial-scale=1" />
      </Head>
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Section>{children}</Section>
          <Hr style={styles.hr} />
          <Text style={styles.footer}>Sent by {PRODUCT_NAME}</Text>
        </Container>
      </Body>
    </Html>
  )
}

export const styles = {
  body: {
    backgroundColor: '#f6f7f9',
    fontFamily: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
    margin: 0,
    padding: '24px 0',
  },
  container: {
    backgroundColor: '#ffffff',
    border: '1px solid #e5e7eb',
    borderRadius: '8px',
    margin: '0 auto',
    maxWidth: '480px',
    padding: '32px',
  },
  heading: { color: '#111827', fontSize: '20px', fontWeight: 600, margin: '0 0 16px' },
  text: { color: '#374151', fontSize: '14px', lineHeight: '22px', margin: '0 0 16px' },
  button: {
    backgroundColor: '#111827',
    borderRadius: '6px',
    color: '#ffffff',
    display: 'inline-block',
    fontSize: '14px',
    fontWeight: 600,
    padding: '10px 20px',
    textDecoration: 'none',
  },
  muted: { color: '#6b7280', fontSize: '12px', lineHeight: '18px', margin: '0 0 8px' },
  link: { color: '#2563eb', wordBreak: 'break-all' as const },
  hr: { borderColor: '#e5e7eb', margin: '24px 0 16px' },
  footer: { color: '#9ca3af', fontSize: '12px', margin: 0 },
}

import type { Metadata } from 'next'
import { MessagePage } from '@/components/layout/message-page'

export const metadata: Metadata = { title: 'Sign-in problem' }

const messages: Record<string, { title: string; body: string }> = {
  Verification: {
    title: 'This sign-in link has expired or was already used',
    body: 'Sign-in links work once and expire after 15 minutes. Ask for a new one.',
  },
  AccessDenied: { title: 'Sign-in was refused', body: 'This address may not sign in.' },
  // The callback was opened from another site (app/api/auth/[...nextauth]/route.ts); the link was not used.
  CrossSite: {
    title: 'Open the sign-in link from your email again',
    body: 'A sign-in link works only when opened from its email, and this one came from another website, so nothing changed. If you asked for it, open the link in your email again.',
  },
}

export default async function SignInErrorPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams
  const message = (error && messages[error]) || { title: 'We could not sign you in', body: 'Something went wrong while signing in. Please try again.' }
  return <MessagePage title={message.title} body={message.body} link={{ href: '/login', label: 'Request a new sign-in link' }} />
}

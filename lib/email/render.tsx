import { render } from '@react-email/render'
import { InvitationEmail, invitationSubject, invitationText, type InvitationEmailProps } from './templates/invitation-email'
import { SignInEmail, signInSubject, signInText, type SignInEmailProps } from './templates/sign-in-email'

export interface RenderedEmail {
  subject: string
  html: string
  text: string
}

export async function renderSignInEmail(props: SignInEmailProps): Promise<RenderedEmail> {
  return {
    subject: signInSubject(props),
    html: await render(<SignInEmail {...props} />),
    text: signInText(props),
  }
}

export async function renderInvitationEmail(props: InvitationEmailProps): Promise<RenderedEmail> {
  return {
    subject: invitationSubject(props),
    html: await render(<InvitationEmail {...props} />),
    text: invitationText(props),
  }
}

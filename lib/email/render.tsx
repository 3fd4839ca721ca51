import { render } from '@react-email/render'
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

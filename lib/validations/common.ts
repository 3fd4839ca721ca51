import { z } from 'zod'

/** Emails are compared lower-cased and trimmed everywhere. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase()

// Deliberately simple: one @, no spaces, a dot in the domain, within RFC length limits.
const emailPattern = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && emailPattern.test(email) && !/[\u0000-\u001f\u007f]/.test(email)
}

export const emailField = z
  .string({ message: 'Enter your email address.' })
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .min(1, 'Enter your email address.')
      .refine(isValidEmail, 'Enter a valid email address, like name@example.com.'),
  )

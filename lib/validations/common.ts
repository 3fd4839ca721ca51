import { z } from 'zod'

/** Emails are compared lower-cased and trimmed everywhere. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase()

// Deliberately simple: one @, no spaces, a dot in the domain, within RFC length limits.
const emailPattern = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:"\\]+$/

/**
 * Unicode format characters (general category Cf: zero-width spaces and joiners, bidi controls
 * such as U+202E, soft hyphens, the BOM): invisible, and able to reorder the text shown around
 * them, so an address or a name holding one reads as something it is not (issue 15, item 5).
 */
export const hasFormatCharacter = (s: string) => /\p{Cf}/u.test(s)

/**
 * Whether NFKC leaves the address as it is. Fullwidth letters, ligatures and other compatibility
 * forms are refused rather than rewritten: mail servers do not normalise, so "ａda@example.com"
 * and "ada@example.com" are different mailboxes, and inviting one when the other was typed would
 * send the invitation somewhere the inviter never wrote.
 */
export const isNfkcStable = (s: string) => s.normalize('NFKC') === s

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && emailPattern.test(email) && !/[\u0000-\u001f\u007f]/.test(email) && !hasFormatCharacter(email) && isNfkcStable(email)
}

export const emailField = z
  .string({ message: 'Enter your email address.' })
  .transform(normalizeEmail)
  .pipe(
    z
      .string()
      .min(1, 'Enter your email address.')
      .refine((e) => !hasFormatCharacter(e), { message: 'The address contains an invisible character (such as a zero-width space). Type it again.', abort: true })
      .refine(isNfkcStable, { message: 'The address contains fullwidth or other special forms of letters. Type it with ordinary letters.', abort: true })
      .refine(isValidEmail, 'Enter a valid email address, like name@example.com.'),
  )

/**
 * A name shown to others (organization, project): NFKC-normalised, trimmed, inner whitespace
 * collapsed. U+FEFF counts as whitespace to JavaScript but is a format character: it is left in
 * place to be refused, not turned into a space.
 */
export const normalizeName = (s: string) => s.normalize('NFKC').trim().replace(/[^\S\ufeff]+/g, ' ')

export const FORMAT_CHARACTER_IN_NAME = 'The name cannot contain invisible formatting characters (such as zero-width spaces or text direction marks).'

import { z } from 'zod'
import { FORMAT_CHARACTER_IN_NAME, hasFormatCharacter, normalizeName } from './common'

export const ORG_NAME_MAX = 80

export const organizationNameField = z
  .string({ message: 'Enter a name for the organization.' })
  .transform(normalizeName)
  .pipe(
    z
      .string()
      .min(1, 'Enter a name for the organization.')
      .max(ORG_NAME_MAX, `Use at most ${ORG_NAME_MAX} characters.`)
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'The name cannot contain control characters.')
      .refine((s) => !hasFormatCharacter(s), FORMAT_CHARACTER_IN_NAME),
  )

export const createOrganizationSchema = z.object({ name: organizationNameField })

/** A URL slug from a name: lower-case ASCII letters, digits and single dashes. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '')
  return slug || 'org'
}

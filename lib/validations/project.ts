import { z } from 'zod'
import { FORMAT_CHARACTER_IN_NAME, hasFormatCharacter, normalizeName } from './common'

export const PROJECT_NAME_MAX = 80

export const createProjectSchema = z.object({
  slug: z.string().min(1).max(100),
  name: z
    .string({ message: 'Enter a name for the project.' })
    .transform(normalizeName)
    .pipe(
      z
        .string()
        .min(1, 'Enter a name for the project.')
        .max(PROJECT_NAME_MAX, `Use at most ${PROJECT_NAME_MAX} characters.`)
        .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'The name cannot contain control characters.')
        .refine((s) => !hasFormatCharacter(s), FORMAT_CHARACTER_IN_NAME),
    ),
})

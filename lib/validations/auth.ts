import { z } from 'zod'
import { emailField } from './common'

export const signInSchema = z.object({
  email: emailField,
  callbackUrl: z.string().max(2048).optional(),
})

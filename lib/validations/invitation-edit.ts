import { z } from 'zod'
import { normalizeEmail } from './common'
import { inviteSchema } from './invitation'

/** Editing a pending invitation: the invite form's role, permissions and projects, without the addresses. */
export const updateInvitationSchema = inviteSchema.omit({ emails: true }).extend({
  invitationId: z.guid({ message: 'This invitation was not found.' }),
})
export type UpdateInvitationInput = z.infer<typeof updateInvitationSchema>

/** The address typed into the invite dialog, to offer a former member's previous access. */
export const previousAccessSchema = z.object({
  slug: z.string().min(1).max(100),
  email: z.string().max(254).transform(normalizeEmail),
})

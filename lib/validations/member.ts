import { z } from 'zod'
import { ALL_PERMISSIONS, type OrgPermission } from '@/lib/permissions'

export const MAX_SEAT_LIMIT = 100_000

const slug = z.string().min(1).max(100)
const userId = z.guid({ message: 'This member was not found.' })

/** Checkbox groups arrive as one string, several, or nothing at all. */
const permissionList = z
  .preprocess(
    (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.enum(ALL_PERMISSIONS as [OrgPermission, ...OrgPermission[]], { message: 'Choose permissions from the list.' })),
  )
  .transform((ps) => ALL_PERMISSIONS.filter((p) => ps.includes(p)))

export const memberAccessSchema = z.object({
  slug,
  userId,
  role: z.enum(['admin', 'member'], { message: 'Choose a role.' }),
  permissions: permissionList,
})
export type MemberAccessInput = z.infer<typeof memberAccessSchema>

/** Remove a member, or make them owner. */
export const memberTargetSchema = z.object({ slug, userId })

export const leaveOrganizationSchema = z.object({ slug })

/** An empty field clears the limit. */
export const seatLimitSchema = z.object({
  slug,
  seatLimit: z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim() === '' ? null : Number(v.trim())) : v),
    z
      .number({ message: 'Enter a whole number, or leave it empty for no limit.' })
      .int('Enter a whole number, or leave it empty for no limit.')
      .min(1, 'The limit must be at least 1.')
      .max(MAX_SEAT_LIMIT, `The limit can be at most ${MAX_SEAT_LIMIT}.`)
      .nullable(),
  ),
})

export const auditFilterSchema = z.object({
  action: z
    .string()
    .max(100)
    .regex(/^[a-z_]+\.[a-z_]+$/)
    .optional()
    .catch(undefined),
  cursor: z.string().max(200).optional().catch(undefined),
})

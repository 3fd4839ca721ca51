import { z } from 'zod'
import { ALL_PERMISSIONS, PROJECT_LEVEL_RANK, type OrgPermission, type ProjectLevel } from '@/lib/permissions'
import { normalizeEmail } from './common'

export const MAX_INVITES_AT_ONCE = 50

/** An invitation token: 32 random bytes in base64url, 43 characters whose last one carries 4 bits. */
export function isWellFormedToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(token)
}

/** Addresses separated by commas, semicolons or whitespace, normalized, each once, in order. */
export function parseEmailList(raw: string): string[] {
  return [...new Set(raw.split(/[\s,;]+/).map(normalizeEmail).filter(Boolean))]
}

const uuid = z.guid()

/** Form fields that may come as one string, several, or not at all. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item))

const projectGrantEntry = z
  .string()
  .regex(/^[0-9a-fA-F-]{36}:(view|edit|admin|none)?$/, 'Choose a project and an access level.')
  .transform((s) => {
    const [projectId, level] = s.split(':')
    return { projectId: projectId.toLowerCase(), level: (level || 'none') as ProjectLevel | 'none' }
  })
  .refine((g) => uuid.safeParse(g.projectId).success, 'Choose a project and an access level.')

/** Duplicate projects collapse to the highest level asked for; "none" (no access) entries drop out. */
function mergeProjectGrants(entries: { projectId: string; level: ProjectLevel | 'none' }[]) {
  const byProject = new Map<string, ProjectLevel>()
  for (const { projectId, level } of entries) {
    if (level === 'none') continue
    const seen = byProject.get(projectId)
    if (!seen || PROJECT_LEVEL_RANK[level] > PROJECT_LEVEL_RANK[seen]) byProject.set(projectId, level)
  }
  return [...byProject].map(([projectId, level]) => ({ projectId, level }))
}

export const inviteSchema = z.object({
  slug: z.string().min(1),
  emails: z
    .string({ message: 'Enter at least one email address.' })
    .transform(parseEmailList)
    .pipe(
      z
        .array(z.string())
        .min(1, 'Enter at least one email address.')
        .max(MAX_INVITES_AT_ONCE, `Invite at most ${MAX_INVITES_AT_ONCE} addresses at once.`),
    ),
  role: z.enum(['admin', 'member'], { message: 'Choose a role.' }),
  permissions: list(z.enum(ALL_PERMISSIONS as [OrgPermission, ...OrgPermission[]], { message: 'Choose permissions from the list.' })).transform(
    (ps) => [...new Set(ps)],
  ),
  projects: list(projectGrantEntry).transform(mergeProjectGrants),
})
export type InviteInput = z.infer<typeof inviteSchema>

export const invitationIdSchema = z.object({
  slug: z.string().min(1),
  invitationId: uuid,
})

export const respondSchema = z.object({ invitationId: uuid })

export const tokenSchema = z.object({
  token: z.string().refine(isWellFormedToken, 'This invitation link is not valid.'),
})

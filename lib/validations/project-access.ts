import { z } from 'zod'
import { createProjectSchema } from './project'

const uuid = z.guid({ message: 'Choose a member.' })

/** The same rules as when a project is created: trimmed, spaces collapsed, 1–80 characters. */
export const projectNameField = createProjectSchema.shape.name

/** For the data layer, which checks again what the form already checked. */
export function normalizeProjectName(raw: string): { ok: true; value: string } | { ok: false; message: string } {
  const parsed = projectNameField.safeParse(raw)
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: parsed.error.issues[0]?.message ?? 'Enter a name for the project.' }
}

export const projectRefSchema = z.object({
  slug: z.string().min(1).max(100),
  projectId: z.guid({ message: 'This project was not found.' }),
})

/** Grant, change or remove ("none") a member's access to a project. */
export const projectAccessSchema = projectRefSchema.extend({
  userId: uuid,
  level: z.enum(['view', 'edit', 'admin', 'none'], { message: 'Choose view, edit, admin or no access.' }).transform((l) => (l === 'none' ? null : l)),
})
export type ProjectAccessInput = z.infer<typeof projectAccessSchema>

export const renameProjectSchema = projectRefSchema.extend({ name: projectNameField })

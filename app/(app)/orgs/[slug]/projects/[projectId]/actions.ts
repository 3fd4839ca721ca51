'use server'

import { revalidatePath } from 'next/cache'
import { redirect } from 'next/navigation'
import { z } from 'zod'
import { getDb } from '@/lib/data/db'
import { orgAction } from '@/lib/actions/org-action'
import { fail, ok } from '@/lib/actions/state'
import { deleteProject } from '@/lib/data/projects/delete-project'
import { renameProject } from '@/lib/data/projects/rename-project'
import { setProjectAccess } from '@/lib/data/projects/set-project-access'
import { emailField } from '@/lib/validations/common'
import { projectAccessSchema, projectRefSchema, renameProjectSchema } from '@/lib/validations/project-access'

const grantByEmailSchema = projectRefSchema.extend({
  email: emailField,
  level: z.enum(['view', 'edit', 'admin'], { message: 'Choose view, edit or admin.' }),
})

const projectPath = (slug: string, projectId: string) => `/orgs/${slug}/projects/${projectId}`

/** Project admins and holders of projects:manage_all, up to their own level; the data layer decides. */
export const grantProjectAccessAction = orgAction(grantByEmailSchema, null, async ({ projectId, email, level }, { org, user }) => {
  const result = await setProjectAccess(getDb(), { orgId: org.id, actorId: user.id, projectId, email, level })
  if (!result.ok && result.error === 'not_member') {
    return fail('This address is not a member of the organization. Invite them first.', { email: ['Not a member of this organization.'] })
  }
  if (!result.ok) return fail(result.message)
  revalidatePath(projectPath(org.slug, projectId))
  return ok(`Access granted to ${email}.`)
})

export const setProjectAccessAction = orgAction(projectAccessSchema, null, async ({ projectId, userId, level }, { org, user }) => {
  const result = await setProjectAccess(getDb(), { orgId: org.id, actorId: user.id, projectId, userId, level })
  if (!result.ok) return fail(result.message)
  revalidatePath(projectPath(org.slug, projectId))
  return ok(level ? 'Access level changed.' : 'Access removed.')
})

export const renameProjectAction = orgAction(renameProjectSchema, null, async ({ projectId, name }, { org, user }) => {
  const result = await renameProject(getDb(), { orgId: org.id, actorId: user.id, projectId, name })
  if (!result.ok) return fail(result.message)
  revalidatePath(projectPath(org.slug, projectId))
  return ok('Project renamed.')
})

export const deleteProjectAction = orgAction(projectRefSchema, null, async ({ projectId }, { org, user }) => {
  const result = await deleteProject(getDb(), { orgId: org.id, actorId: user.id, projectId })
  if (!result.ok) return fail(result.message)
  revalidatePath(`/orgs/${org.slug}`)
  redirect(`/orgs/${org.slug}`)
})

'use server'

import { revalidatePath } from 'next/cache'
import { getDb } from '@/lib/data/db'
import { orgAction } from '@/lib/actions/org-action'
import { fail, ok } from '@/lib/actions/state'
import { createProject } from '@/lib/data/projects/create-project'
import { createProjectSchema } from '@/lib/validations/project'

export const createProjectAction = orgAction(createProjectSchema, 'projects:create', async ({ name }, { org, user }) => {
  const result = await createProject(getDb(), { orgId: org.id, actorId: user.id, name })
  if (!result.ok) return fail(result.message)
  revalidatePath(`/orgs/${org.slug}`)
  return ok(`Project ${result.project.name} created.`)
})

'use server'

import { redirect } from 'next/navigation'
import { getDb } from '@/lib/data/db'
import { authAction } from '@/lib/actions/auth-action'
import { createOrganization } from '@/lib/data/organizations'
import { createOrganizationSchema } from '@/lib/validations/organization'

export const createOrganizationAction = authAction(createOrganizationSchema, async ({ name }, { user }) => {
  const org = await createOrganization(getDb(), { name, userId: user.id })
  redirect(`/orgs/${org.slug}`)
})

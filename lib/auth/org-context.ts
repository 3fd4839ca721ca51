import 'server-only'
import { cache } from 'react'
import { notFound } from 'next/navigation'
import { getDb } from '@/db/client'
import { getOrgForMember, type OrgContext } from '@/lib/data/organizations'
import { requireUser, type CurrentUser } from './session'

/**
 * The signed-in member's view of an organization, once per request. Signed out:
 * to sign in and back. Not a member, or no such organization: the same 404.
 */
export const requireOrgMember = cache(async (slug: string, returnTo: string): Promise<OrgContext & { user: CurrentUser }> => {
  const user = await requireUser(returnTo)
  const ctx = await getOrgForMember(getDb(), { slug, userId: user.id })
  if (!ctx) notFound()
  return { ...ctx, user }
})

import 'server-only'
import { cache } from 'react'
import { notFound } from 'next/navigation'
import { getDb } from '@/lib/data/db'
import { getOrgForMember, type OrgContext } from '@/lib/data/organizations'
import { requireUser, type CurrentUser } from './session'

const loadOrgContext = cache((slug: string, userId: string) => getOrgForMember(getDb(), { slug, userId }))

/**
 * The signed-in member's view of an organization (read once per request).
 * Signed out: to sign in and back to `returnTo`. Not a member, or no such
 * organization: the same 404.
 */
export async function requireOrgMember(slug: string, returnTo: string): Promise<OrgContext & { user: CurrentUser }> {
  const user = await requireUser(returnTo)
  const ctx = await loadOrgContext(slug, user.id)
  if (!ctx) notFound()
  return { ...ctx, user }
}

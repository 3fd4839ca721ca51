import 'server-only'
import { cache } from 'react'
import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'
import { getDb } from '@/lib/data/db'
import { getSessionUser, getViewer as loadViewer, type SessionUser, type Viewer } from '@/lib/data/viewer'
import { sessionCookie } from './session-cookie'

export type CurrentUser = SessionUser

async function sessionToken(): Promise<string | null> {
  return (await cookies()).get(sessionCookie().name)?.value ?? null
}

/**
 * For pages: the signed-in user and what the header shows them, read once per request in one
 * query (the database session Auth.js created, looked up by its token). Auth.js signs people in
 * and out; reading the session needs only this lookup, so pages skip its request pipeline.
 */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const token = await sessionToken()
  return token ? loadViewer(getDb(), { token }) : null
})

/** For pages: the signed-in user (from getViewer, so a page and its layout share one query). */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => (await getViewer())?.user ?? null)

/** For server actions: the signed-in user, and nothing else (one query on the sessions primary key). */
export const getActionUser = cache(async (): Promise<CurrentUser | null> => {
  const token = await sessionToken()
  return token ? getSessionUser(getDb(), { token }) : null
})

/** The signed-in viewer, or a redirect to sign in that comes back to `returnTo`. */
export async function requireViewer(returnTo: string): Promise<Viewer> {
  const viewer = await getViewer()
  if (!viewer) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`)
  return viewer
}

/** The signed-in user, or a redirect to sign in that comes back to `returnTo`. */
export async function requireUser(returnTo: string): Promise<CurrentUser> {
  return (await requireViewer(returnTo)).user
}

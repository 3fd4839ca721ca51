import 'server-only'
import { cache } from 'react'
import { redirect } from 'next/navigation'
import { auth } from './index'

export interface CurrentUser {
  id: string
  email: string
  name: string | null
}

/** The signed-in user, read once per request from the database session. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await auth()
  const user = session?.user
  if (!user?.id || !user.email) return null
  return { id: user.id, email: user.email, name: user.name ?? null }
})

/** The signed-in user, or a redirect to sign in that comes back to `returnTo`. */
export async function requireUser(returnTo: string): Promise<CurrentUser> {
  const user = await getCurrentUser()
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`)
  return user
}

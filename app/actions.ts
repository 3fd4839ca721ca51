'use server'

import { signOut } from '@/lib/auth'
import { getActionUser } from '@/lib/auth/session'

/** Ends the caller's database session. */
export async function signOutAction(): Promise<void> {
  if (await getActionUser()) await signOut({ redirectTo: '/login' })
}

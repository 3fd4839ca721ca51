'use server'

import { signOut } from '@/lib/auth'
import { getCurrentUser } from '@/lib/auth/session'

/** Ends the caller's database session. */
export async function signOutAction(): Promise<void> {
  if (await getCurrentUser()) await signOut({ redirectTo: '/login' })
}

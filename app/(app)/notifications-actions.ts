'use server'

import { z } from 'zod'
import { getDb } from '@/lib/data/db'
import { authAction } from '@/lib/actions/auth-action'
import { ok } from '@/lib/actions/state'
import { markNotificationsRead } from '@/lib/data/notifications'

/** Marks the caller's own notifications read (the bell was opened; it clears its own count). */
export const markNotificationsReadAction = authAction(z.object({}), async (_input, { user }) => {
  await markNotificationsRead(getDb(), { userId: user.id })
  return ok()
})

import 'server-only'
import { eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { invitations, users } from '@/db/schema'
import { normalizeEmail } from '@/lib/validations/common'
import { isWellFormedToken } from '@/lib/validations/invitation'
import { hashToken } from './tokens'

/**
 * "Continue as <invited address>": the token proves the mailbox, so a valid pending invitation to
 * an address with no account creates that account, verified. It does not accept the invitation,
 * and it never touches an existing account (a forwarded link must not sign anyone in).
 */
export async function claimInvitationForNewUser(
  db: Db,
  token: string,
  now: Date = new Date(),
): Promise<{ ok: true; userId: string; email: string } | { ok: false; error: 'not_found' | 'expired' | 'not_pending' | 'account_exists' }> {
  if (!isWellFormedToken(token)) return { ok: false, error: 'not_found' }
  return db.transaction(async (txAny) => {
    const tx = txAny as unknown as Db
    const [inv] = await tx
      .select({ email: invitations.email, status: invitations.status, expiresAt: invitations.expiresAt })
      .from(invitations)
      .where(eq(invitations.tokenHash, hashToken(token)))
      .for('share')
    if (!inv) return { ok: false as const, error: 'not_found' as const }
    if (inv.status === 'expired' || (inv.status === 'pending' && inv.expiresAt <= now)) return { ok: false as const, error: 'expired' as const }
    if (inv.status !== 'pending') return { ok: false as const, error: 'not_pending' as const }
    const email = normalizeEmail(inv.email)
    const [user] = await tx
      .insert(users)
      .values({ email, emailVerified: now })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, email: users.email })
    if (!user) return { ok: false as const, error: 'account_exists' as const }
    return { ok: true as const, userId: user.id, email: user.email }
  })
}

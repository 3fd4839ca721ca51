import 'server-only'
import { and, eq, gt } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { invitations, users } from '@/db/schema'
import { normalizeEmail } from '@/lib/validations/common'
import { recordAudit } from '../audit'
import { isUuid } from '../ids'
import { notifyInviterSql } from './notify-inviter'
import { RESPOND_NOT_FOUND, whyNotRespondable, type RespondFailure } from './respond-failure'
import { isPending } from './shared'

/** Declines an invitation for the signed-in user whose email is the invited one (anyone else gets not_found). */
export async function declineInvitation(db: Db, params: { invitationId: string; userId: string; now?: Date }): Promise<{ ok: true } | RespondFailure> {
  const { invitationId, userId } = params
  const now = params.now ?? new Date()
  if (!isUuid(invitationId) || !isUuid(userId)) return RESPOND_NOT_FOUND

  return db.transaction(async (txAny): Promise<{ ok: true } | RespondFailure> => {
    const tx = txAny as unknown as Db
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId))
    if (!user) return RESPOND_NOT_FOUND
    const email = normalizeEmail(user.email)
    const [declined] = await tx
      .update(invitations)
      .set({ status: 'declined', respondedAt: now, respondedBy: userId })
      .where(and(eq(invitations.id, invitationId), eq(invitations.email, email), isPending, gt(invitations.expiresAt, now)))
      .returning({ id: invitations.id, orgId: invitations.organizationId, invitedBy: invitations.invitedBy })
    if (!declined) return whyNotRespondable(tx, invitationId, email, now)
    await tx.execute(notifyInviterSql({ inviterId: declined.invitedBy, orgId: declined.orgId, kind: 'invitation.declined', email }))
    await recordAudit(tx, {
      organizationId: declined.orgId,
      actorId: userId,
      action: 'invitation.declined',
      targetType: 'invitation',
      targetId: declined.id,
      data: { email },
    })
    return { ok: true }
  })
}

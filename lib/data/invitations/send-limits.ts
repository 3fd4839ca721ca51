import 'server-only'

/**
 * How many times one invitation may be sent, the first time included (issue 15, item 2): past
 * that it must be revoked and invited again, which the daily limits count like any invitation.
 */
export const MAX_SENDS_PER_INVITATION = 5

type SendLimit = 'organization' | 'inviter' | 'invitation'

export interface SendLimitRefusal {
  ok: false
  error: 'rate_limited'
  limit: SendLimit
  message: string
  /** When the limit lets this invitation be sent again; null for the per-invitation limit, which never resets. */
  resetsAt: Date | null
  retryAfterMs?: number
}

const timeOfDay = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC', hourCycle: 'h23' })

function untilText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000))
  const hours = Math.floor(minutes / 60)
  return hours ? `${hours} h ${minutes % 60} min` : `${minutes} min`
}

/** The refusal of a send over one of its limits, saying which and when it resets. */
export function sendLimitRefusal(
  limit: SendLimit,
  { perDay, resetsAt, now, email }: { perDay: number; resetsAt: Date; now: Date; email: string },
): SendLimitRefusal {
  if (limit === 'invitation') {
    return {
      ok: false,
      error: 'rate_limited',
      limit,
      resetsAt: null,
      message: `This invitation has been sent ${MAX_SENDS_PER_INVITATION} times, the most one invitation can be. Revoke it and invite ${email} again.`,
    }
  }
  const retryAfterMs = resetsAt.getTime() - now.getTime()
  const who = limit === 'organization' ? `This organization has sent its ${perDay} invitations for today` : `You have sent your ${perDay} invitations for today`
  return {
    ok: false,
    error: 'rate_limited',
    limit,
    resetsAt,
    retryAfterMs,
    message: `${who}. The limit resets at ${timeOfDay.format(resetsAt)} UTC (in ${untilText(retryAfterMs)}).`,
  }
}

import 'server-only'
import { sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Db } from '@/db/client'
import { sqlNow } from './clock'

export const REDACTED_BODY = '[removed after delivery: it held a single-use link]'
const LAST_ERROR_MAX = 500

/** What happened to one claimed row; `unbatch`: from now on it goes alone, under its own key. */
export type DeliveryOutcome = { id: string; attempts: number; unbatch?: boolean } & (
  | { kind: 'sent'; providerId: string | null }
  | { kind: 'failed' | 'retry'; error: string; delayMs?: number }
  | { kind: 'release' }
)

const writtenRows = z.array(z.object({ kind: z.enum(['sent', 'failed', 'retry', 'release']) }))

/**
 * Writes the outcomes of a whole claim in one statement (one round trip for 50 emails rather than
 * 50). Each is conditional on this very claim (status sending, the claim's attempt count): a worker
 * whose lease was taken over writes nothing. Returns the outcomes that were written.
 */
export async function recordDeliveryOutcomes(db: Db, outcomes: DeliveryOutcome[], { keepBodies = false, now }: { keepBodies?: boolean; now?: () => Date } = {}) {
  if (outcomes.length === 0) return []
  const at = sqlNow(now)
  const values = outcomes.map((o) => ({
    id: o.id,
    attempts: o.attempts,
    kind: o.kind,
    provider_id: o.kind === 'sent' ? o.providerId : null,
    error: o.kind === 'failed' || o.kind === 'retry' ? o.error.slice(0, LAST_ERROR_MAX) : null,
    delay_ms: o.kind === 'retry' ? Math.round(o.delayMs ?? 0) : 0,
    unbatch: o.unbatch ?? false,
  }))
  // The token-bearing link leaves the database with the email (DESIGN: tokens stored only as SHA-256).
  const isDone = sql`v.kind in ('sent', 'failed')`
  const body = (column: SQL) => (keepBodies ? column : sql`case when ${isDone} then ${REDACTED_BODY} else ${column} end`)
  // Raw SQL: the builder's update cannot join a jsonb_to_recordset of per-row values; rows parsed below.
  const result = await db.execute(sql`
    update email_outbox o set
      status = (case v.kind when 'sent' then 'sent' when 'failed' then 'failed' else 'pending' end)::email_status,
      attempts = case when v.kind = 'release' then o.attempts - 1 else o.attempts end,
      locked_until = null,
      sent_at = case when v.kind = 'sent' then ${at} else o.sent_at end,
      provider_id = case when v.kind = 'sent' then v.provider_id else o.provider_id end,
      last_error = case v.kind when 'sent' then null when 'release' then o.last_error else v.error end,
      next_attempt_at = case when v.kind = 'retry' then ${at} + v.delay_ms * interval '1 millisecond' else o.next_attempt_at end,
      html = ${body(sql`o.html`)},
      text = ${body(sql`o.text`)},
      batch_id = case when v.unbatch then null else o.batch_id end
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, attempts int, kind text, provider_id text, error text, delay_ms double precision, unbatch boolean)
    where o.id = v.id and o.status = 'sending' and o.attempts = v.attempts
    returning v.kind`)
  return writtenRows.parse((result as { rows?: unknown }).rows)
}

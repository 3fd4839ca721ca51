import 'server-only'
import { sql, type SQL } from 'drizzle-orm'

/**
 * enqueueEmails as the body of a data-modifying CTE, so emails are queued in the very statement
 * of the change that causes them: `source` is a SELECT of (id, kind, recipient, subject, html,
 * text, idempotency_key, batch_id). Rows given one batch_id (the id of one of them, which leads
 * the batch; at most MAX_BATCH_SIZE rows) go to the provider in one request. Raw SQL because the
 * builder's insert takes values or a query builder, not a SELECT over the CTE's own rows.
 */
export function enqueueEmailsSql(source: SQL): SQL {
  return sql`insert into email_outbox (id, kind, recipient, subject, html, text, idempotency_key, batch_id) ${source}`
}

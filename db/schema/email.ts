import { sql } from 'drizzle-orm'
import { index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

export const emailStatus = pgEnum('email_status', ['pending', 'sending', 'sent', 'failed'])

// Every email is a row here first, written in the transaction of its cause.
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique('email_outbox_idempotency_key_unique'),
    status: emailStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    // A claimed row is leased; a worker that dies leaves it to be reclaimed after this.
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    providerId: text('provider_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /**
     * Emails of one cause sent in one provider request (one invite of many addresses): the id of
     * the batch's first row, which leads it. Claims, retries and outcomes take a batch whole, so a
     * retry repeats the same request under the same idempotency key. Null: sent alone.
     */
    batchId: uuid('batch_id'),
  },
  (t) => [
    index('email_outbox_due_idx').on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'sending')`),
    index('email_outbox_created_idx').on(t.createdAt.desc().nullsFirst()),
    index('email_outbox_batch_idx').on(t.batchId).where(sql`${t.batchId} is not null`),
  ],
)

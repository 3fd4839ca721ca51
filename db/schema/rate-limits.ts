import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'

// Fixed-window counters, shared by every instance.
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').notNull(),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'rate_limits_pk', columns: [t.key, t.windowStart] })],
)

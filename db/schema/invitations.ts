import { sql } from 'drizzle-orm'
import { check, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { users } from './auth'
import { organizations, projectLevel, projects } from './organizations'
import { emailOutbox } from './email'

export const invitationStatus = pgEnum('invitation_status', ['pending', 'accepted', 'declined', 'revoked', 'expired'])

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ['admin', 'member'] }).notNull(),
    permissions: text('permissions').array().notNull().default(sql`'{}'::text[]`),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    status: invitationStatus('status').notNull().default('pending'),
    // SHA-256 of the emailed token, hex. The token itself is never stored.
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true }).notNull().defaultNow(),
    sendCount: integer('send_count').notNull().default(1),
    lastEmailId: uuid('last_email_id').references(() => emailOutbox.id, { onDelete: 'set null' }),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    respondedBy: uuid('responded_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    check('invitations_role_check', sql`${t.role} in ('admin', 'member')`),
    uniqueIndex('invitations_token_hash_unique').on(t.tokenHash),
    uniqueIndex('invitations_one_pending_per_email').on(t.organizationId, t.email).where(sql`${t.status} = 'pending'`),
    index('invitations_org_status_created_idx').on(t.organizationId, t.status, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index('invitations_email_status_idx').on(t.email, t.status),
    index('invitations_pending_expiry_idx').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
    // The Members tab's pending list (pending and expired, newest first) in index order.
    index('invitations_org_open_created_idx')
      .on(t.organizationId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.status} in ('pending', 'expired')`),
    // Seats held by pending invitations of one organization (the seat count under the org lock).
    index('invitations_org_pending_expiry_idx').on(t.organizationId, t.expiresAt).where(sql`${t.status} = 'pending'`),
  ],
)

export const invitationProjectGrants = pgTable(
  'invitation_project_grants',
  {
    invitationId: uuid('invitation_id').notNull().references(() => invitations.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    level: projectLevel('level').notNull(),
  },
  (t) => [primaryKey({ name: 'invitation_project_grants_pk', columns: [t.invitationId, t.projectId] })],
)

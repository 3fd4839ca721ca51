import { sql } from 'drizzle-orm'
import { check, index, integer, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { users } from './auth'

export const memberRole = pgEnum('member_role', ['owner', 'admin', 'member'])
export const projectLevel = pgEnum('project_level', ['view', 'edit', 'admin'])

export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique('organizations_slug_unique'),
    // Members plus pending invitations may not exceed it; null is unlimited.
    seatLimit: integer('seat_limit'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [check('organizations_seat_limit_check', sql`${t.seatLimit} is null or ${t.seatLimit} >= 1`)],
)

export const memberships = pgTable(
  'memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: memberRole('role').notNull(),
    permissions: text('permissions').array().notNull().default(sql`'{}'::text[]`),
    joinedAt: timestamp('joined_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    unique('memberships_org_user_unique').on(t.organizationId, t.userId),
    index('memberships_user_idx').on(t.userId),
    // Members tab: newest first, paginated by (joined_at, id).
    index('memberships_org_joined_idx').on(t.organizationId, t.joinedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // The last-owner rule on every organization page (leaveVerdict) without reading every member.
    index('memberships_org_owner_idx').on(t.organizationId).where(sql`role = 'owner'`),
  ],
)

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('projects_org_created_idx').on(t.organizationId, t.createdAt.desc().nullsFirst())],
)

export const projectMembers = pgTable(
  'project_members',
  {
    projectId: uuid('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    // Denormalized so every query can carry the organization in its WHERE.
    organizationId: uuid('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    level: projectLevel('level').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    unique('project_members_project_user_unique').on(t.projectId, t.userId),
    index('project_members_org_user_idx').on(t.organizationId, t.userId),
    // A project's members, newest first, paginated by (created_at, user_id).
    index('project_members_project_created_idx').on(t.projectId, t.createdAt.desc().nullsFirst(), t.userId.desc().nullsFirst()),
  ],
)

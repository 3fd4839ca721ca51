import 'server-only'
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { notifications, users, type NotificationKind } from '@/db/schema'
import { isUuid } from './ids'
import { parseJsonColumn } from './json-column'

export interface NotificationRow {
  id: string
  kind: NotificationKind
  orgName: string
  orgSlug: string
  /** Who accepted or declined. */
  email: string
  createdAt: Date
  isRead: boolean
}

interface NotificationJson {
  id: string
  kind: NotificationKind
  orgName: string
  orgSlug: string
  email: string
  createdAt: string
  isRead: boolean
}

/**
 * Select fields for the newest notifications of the `users` row in the query (the table must be
 * in the query as "users") and how many are unread (for the bell), on
 * notifications_user_created_idx and notifications_user_unread_idx.
 * Shared by listNotifications and the page header's one query (viewer.ts); read the result with
 * readNotifications. Only the user's own.
 */
export function notificationsSelection(limit: number) {
  return {
    unread: sql<number>`(select count(*) from notifications n where n.user_id = users.id and n.read_at is null)`.mapWith(Number),
    updateItems: sql<unknown>`(
      select coalesce(json_agg(x), '[]'::json) from (
        select n.id, n.kind, o.name as "orgName", o.slug as "orgSlug", n.data->>'email' as email, n.created_at as "createdAt",
               n.read_at is not null as "isRead"
        from notifications n
        join organizations o on o.id = n.organization_id
        where n.user_id = users.id
        order by n.created_at desc, n.id desc
        limit ${limit}
      ) x
    )`,
  }
}

export function readNotifications(row: { unread: number; updateItems: unknown }): { items: NotificationRow[]; unread: number } {
  return { unread: row.unread, items: parseJsonColumn<NotificationJson[]>(row.updateItems).map((r) => ({ ...r, createdAt: new Date(r.createdAt) })) }
}

/** The user's newest notifications and how many are unread: one query. */
export async function listNotifications(db: Db, { userId, limit = 20 }: { userId: string; limit?: number }): Promise<{ items: NotificationRow[]; unread: number }> {
  if (!isUuid(userId)) return { items: [], unread: 0 }
  const size = Math.max(1, Math.min(100, Math.floor(limit)))
  const [row] = await db.select(notificationsSelection(size)).from(users).where(eq(users.id, userId))
  return row ? readNotifications(row) : { items: [], unread: 0 }
}

/** Marks the user's unread notifications read (the bell was opened); returns how many changed. */
export async function markNotificationsRead(db: Db, { userId, now = new Date() }: { userId: string; now?: Date }): Promise<{ updated: number }> {
  if (!isUuid(userId)) return { updated: 0 }
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id })
  return { updated: rows.length }
}

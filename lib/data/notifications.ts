import 'server-only'
import { and, count, desc, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '@/db/client'
import { notifications, organizations, type NotificationKind } from '@/db/schema'

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

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The user's newest notifications and how many are unread (for the bell), in two queries on
 * notifications_user_created_idx and notifications_user_unread_idx. Only the user's own.
 */
export async function listNotifications(db: Db, { userId, limit = 20 }: { userId: string; limit?: number }): Promise<{ items: NotificationRow[]; unread: number }> {
  if (!uuidPattern.test(userId)) return { items: [], unread: 0 }
  const size = Math.max(1, Math.min(100, Math.floor(limit)))
  // One query: the page, and the unread count as a scalar subquery (no rows means none unread).
  const rows = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      data: notifications.data,
      orgName: organizations.name,
      orgSlug: organizations.slug,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
      unread: sql<number>`(select count(*) from ${notifications} as unread where unread.user_id = ${userId} and unread.read_at is null)`.mapWith(Number),
    })
    .from(notifications)
    .innerJoin(organizations, eq(organizations.id, notifications.organizationId))
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(size)
  const unread = rows[0]?.unread ?? 0
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      orgName: r.orgName,
      orgSlug: r.orgSlug,
      email: r.data.email,
      createdAt: r.createdAt,
      isRead: r.readAt !== null,
    })),
    unread,
  }
}

/** Marks the user's unread notifications read (the bell was opened); returns how many changed. */
export async function markNotificationsRead(db: Db, { userId, now = new Date() }: { userId: string; now?: Date }): Promise<{ updated: number }> {
  if (!uuidPattern.test(userId)) return { updated: 0 }
  const rows = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id })
  return { updated: rows.length }
}

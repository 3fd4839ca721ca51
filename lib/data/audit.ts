import 'server-only'
import type { Db } from '@/db/client'
import { auditEvents } from '@/db/schema'

export interface AuditEntry {
  organizationId: string
  actorId: string | null
  action: string
  targetType: string
  targetId: string
  data?: Record<string, unknown>
}

/** Appends audit events; call it inside the transaction of the change it records. */
export async function recordAudit(db: Db, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  await db.insert(auditEvents).values(entries.map((e) => ({ ...e, data: e.data ?? {} })))
}

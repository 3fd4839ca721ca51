import type { Metadata } from 'next'
import { EmailText } from '@/components/ui/email-text'
import { Cell, EmptyState, Table } from '@/components/ui/table'
import Link from 'next/link'
import { withDb } from '@/lib/data/db'
import { requireOrgMember } from '@/lib/auth/org-context'
import { listAuditEvents } from '@/lib/data/audit'
import { formatDateTime, levelLabels } from '@/lib/format'
import { isProjectLevel } from '@/lib/permissions'
import { auditFilterSchema } from '@/lib/validations/member'
import { buttonClass } from '@/components/ui/button-class'

export const metadata: Metadata = { title: 'Audit log' }

const actionLabels: Record<string, string> = {
  'organization.created': 'Organization created',
  'organization.seat_limit_changed': 'Seat limit changed',
  'invitation.created': 'Invitation created',
  'invitation.resent': 'Invitation resent',
  'invitation.revoked': 'Invitation revoked',
  'invitation.accepted': 'Invitation accepted',
  'invitation.declined': 'Invitation declined',
  'invitation.expired': 'Invitation expired',
  'invitation.updated': 'Invitation edited',
  'member.permissions_changed': 'Member permissions changed',
  'member.removed': 'Member removed',
  'member.left': 'Member left',
  'member.made_owner': 'Member made owner',
  'project.created': 'Project created',
  'project.renamed': 'Project renamed',
  'project.deleted': 'Project deleted',
  'project.access_granted': 'Project access granted',
  'project.access_removed': 'Project access removed',
}
const labelOf = (action: string) => actionLabels[action] ?? action

export default async function AuditTab({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { slug } = await params
  const filter = auditFilterSchema.parse(await searchParams)
  const { org, user } = await requireOrgMember(slug, `/orgs/${slug}/audit`)
  const events = await withDb(listAuditEvents, { orgId: org.id, actorId: user.id, action: filter.action, cursor: filter.cursor })
  if (!events) {
    return (
      <section aria-labelledby="audit-heading">
        <h2 id="audit-heading" className="text-lg font-semibold">
          Audit log
        </h2>
        <EmptyState>Only owners and admins can see the audit log.</EmptyState>
      </section>
    )
  }
  const base = `/orgs/${org.slug}/audit`
  return (
    <section aria-labelledby="audit-heading">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h2 id="audit-heading" className="text-lg font-semibold">
          Audit log
        </h2>
        <form method="get" action={base} className="flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor="audit-action" className="block text-sm font-medium">
              Action
            </label>
            <select id="audit-action" name="action" defaultValue={filter.action ?? ''} className="mt-1 rounded-md border border-slate-400 px-2 py-1.5 text-sm">
              <option value="">All actions</option>
              {events.actions.map((a) => (
                <option key={a} value={a}>
                  {labelOf(a)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className={buttonClass('secondary')}>
            Filter
          </button>
        </form>
      </div>
      {events.items.length === 0 ? (
        <EmptyState>
          No events{filter.action ? ' for this action' : ''} yet. Invitations, member changes and project access changes appear here.
        </EmptyState>
      ) : (
        <Table className="mt-4" columns={[{ label: 'When' }, { label: 'Actor' }, { label: 'Action' }, { label: 'Target' }]}>
          {events.items.map((e) => (
            <tr key={e.id}>
              <Cell label="When" className="whitespace-nowrap">
                <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time>
              </Cell>
              <Cell label="Actor" className="[overflow-wrap:anywhere]">
                {e.actor ? (e.actor.name ?? <EmailText email={e.actor.email} />) : 'System'}
              </Cell>
              <Cell label="Action">{labelOf(e.action)}</Cell>
              <Cell label="Target" className="[overflow-wrap:anywhere]">
                {e.targetLabel ?? `${e.targetType} ${e.targetId.slice(0, 8)}`}
                {e.subject ? (
                  <span className="block text-slate-600">
                    {e.action === 'project.access_removed' ? 'From ' : 'To '}
                    <EmailText email={e.subject.email} />
                    {e.subject.level && isProjectLevel(e.subject.level) ? ` (${levelLabels[e.subject.level]})` : ''}
                  </span>
                ) : null}
              </Cell>
            </tr>
          ))}
        </Table>
      )}
      {events.nextCursor ? (
        <p className="mt-2">
          <Link
            href={`${base}?${new URLSearchParams({ ...(filter.action ? { action: filter.action } : {}), cursor: events.nextCursor })}`}
            className="text-sm font-medium text-indigo-700 underline"
          >
            Older events
          </Link>
        </p>
      ) : null}
    </section>
  )
}

'use client'

import { Table } from '@/components/ui/table'
import type { GrantableProject } from './access-fields'
import { InvitationRowActions } from './invitation-row-actions'

export interface InvitationItem {
  id: string
  email: string
  role: 'admin' | 'member'
  permissions: string[]
  accessText: string
  projects: { id: string; name: string; level: 'view' | 'edit' | 'admin' }[]
  projectsText: string | null
  invitedBy: string
  sentIso: string
  sentText: string
  expiresIso: string
  expiresText: string
  stateText: string
  isFailing: boolean
  showRetryHint: boolean
}

/** What the viewer may do to the rows (null: view only); every rule is checked again on the server. */
export interface InvitationTableRights {
  slug: string
  grantable: string[]
  canGrantAdmin: boolean
  projects: GrantableProject[]
}

/** One page of pending invitations; a client component for the same reason as MembersTable. */
export function InvitationsTable({ invitations, rights }: { invitations: InvitationItem[]; rights: InvitationTableRights | null }) {
  return (
    <Table
      className="mt-4"
      columns={[
        { label: 'Email' },
        { label: 'Permissions' },
        { label: 'Invited by' },
        { label: 'Sent' },
        { label: 'Expires' },
        { label: 'Status' },
        ...(rights ? [{ label: 'Actions', isHidden: true }] : []),
      ]}
    >
      {invitations.map((inv) => (
        <tr key={inv.id}>
          <td className="font-medium break-all">{inv.email}</td>
          <td>
            {inv.accessText}
            {inv.projectsText ? <span className="block text-slate-600">{inv.projectsText}</span> : null}
          </td>
          <td className="break-all">{inv.invitedBy}</td>
          <td>
            <time dateTime={inv.sentIso}>{inv.sentText}</time>
          </td>
          <td>
            <time dateTime={inv.expiresIso}>{inv.expiresText}</time>
          </td>
          <td>
            <span className={inv.isFailing ? 'font-medium text-red-800' : 'text-slate-800'}>{inv.stateText}</span>
            {inv.showRetryHint ? <span className="block text-xs text-slate-600">Resend to try again.</span> : null}
          </td>
          {rights ? (
            <td>
              <InvitationRowActions
                slug={rights.slug}
                invitationId={inv.id}
                email={inv.email}
                access={{ role: inv.role, permissions: inv.permissions, projects: Object.fromEntries(inv.projects.map((g) => [g.id, g.level])) }}
                grantable={rights.grantable}
                canGrantAdmin={rights.canGrantAdmin}
                projects={rights.projects}
                projectNames={Object.fromEntries(inv.projects.map((g) => [g.id, g.name]))}
              />
            </td>
          ) : null}
        </tr>
      ))}
    </Table>
  )
}

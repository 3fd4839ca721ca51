'use client'

import { EmailText } from '@/components/ui/email-text'
import { Cell, Table } from '@/components/ui/table'
import type { InvitationCapabilities } from '@/lib/permissions'
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
  /** invitationCapabilities' verdict on this invitation: shown as is. */
  can: InvitationCapabilities
  /** What an admin can do about the state, if anything. */
  hint: string | null
}

/** What the viewer may do to the rows (null: view only); every rule is checked again on the server. */
export interface InvitationTableRights {
  slug: string
  grantable: string[]
  canGrantAdmin: boolean
  projects: GrantableProject[]
}

/** One page of open invitations (pending, expired, undelivered); a client component for the same reason as MembersTable. */
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
          <Cell className="font-medium">
            <EmailText email={inv.email} />
          </Cell>
          <Cell label="Permissions">
            {inv.accessText}
            {inv.projectsText ? <span className="block text-slate-600">{inv.projectsText}</span> : null}
          </Cell>
          <Cell label="Invited by" className="[overflow-wrap:anywhere]">
            {inv.invitedBy}
          </Cell>
          <Cell label="Sent" className="whitespace-nowrap">
            <time dateTime={inv.sentIso}>{inv.sentText}</time>
          </Cell>
          <Cell label="Expires" className="whitespace-nowrap">
            <time dateTime={inv.expiresIso}>{inv.expiresText}</time>
          </Cell>
          <Cell label="Status">
            <span className={inv.isFailing ? 'font-medium text-red-800' : 'text-slate-800'}>{inv.stateText}</span>
            {inv.hint ? <span className="block text-xs text-slate-600">{inv.hint}</span> : null}
          </Cell>
          {rights ? (
            <td>
              <InvitationRowActions
                slug={rights.slug}
                invitationId={inv.id}
                email={inv.email}
                can={inv.can}
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

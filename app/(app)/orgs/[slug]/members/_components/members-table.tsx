'use client'

import { EmailText } from '@/components/ui/email-text'
import { Cell, Table } from '@/components/ui/table'
import type { MemberCapabilities, Verdict } from '@/lib/permissions'
import { MemberRowActions } from './member-row-actions'

export interface MemberItem {
  userId: string
  name: string | null
  email: string
  role: 'owner' | 'admin' | 'member'
  roleText: string
  permissions: string[]
  permissionsText: string
  joinedIso: string
  joinedText: string
  /** The data layer's verdict for this row (listMembers), rendered as is. */
  can: MemberCapabilities
}

/** What the edit dialog offers; what may be done to each row is the row's own verdict. */
export interface MemberTableRights {
  slug: string
  selfId: string
  canGrantAdmin: boolean
  grantable: string[]
  /** Whether the viewer may leave (their own row's button), from leaveVerdict. */
  leave: Verdict
}

/**
 * One page of members. A client component so that the page sends the rows once, as data, rather
 * than as a tree of elements plus the props of each row's actions (a third of the payload).
 */
export function MembersTable({ members, rights }: { members: MemberItem[]; rights: MemberTableRights }) {
  return (
    <Table className="mt-4" columns={[{ label: 'Member' }, { label: 'Role' }, { label: 'Permissions' }, { label: 'Joined' }, { label: 'Actions', isHidden: true }]}>
      {members.map((m) => (
        <tr key={m.userId}>
          <Cell>
            <span className="block font-medium [overflow-wrap:anywhere]">{m.name ?? <EmailText email={m.email} />}</span>
            {m.name ? <EmailText email={m.email} className="block text-slate-600" /> : null}
          </Cell>
          <Cell label="Role">{m.roleText}</Cell>
          <Cell label="Permissions">{m.permissionsText}</Cell>
          <Cell label="Joined" className="whitespace-nowrap">
            <time dateTime={m.joinedIso}>{m.joinedText}</time>
          </Cell>
          <td>
            <MemberRowActions
              slug={rights.slug}
              member={{ userId: m.userId, label: m.name ?? m.email, role: m.role, permissions: m.permissions }}
              isSelf={m.userId === rights.selfId}
              leave={rights.leave}
              can={m.can}
              canGrantAdmin={rights.canGrantAdmin}
              grantable={rights.grantable}
            />
          </td>
        </tr>
      ))}
    </Table>
  )
}

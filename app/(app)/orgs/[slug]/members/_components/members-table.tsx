'use client'

import { Table } from '@/components/ui/table'
import type { MemberCapabilities } from '@/lib/permissions'
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
          <td>
            <span className="block font-medium break-all">{m.name ?? m.email}</span>
            {m.name ? <span className="block text-slate-600 break-all">{m.email}</span> : null}
          </td>
          <td>{m.roleText}</td>
          <td>{m.permissionsText}</td>
          <td>
            <time dateTime={m.joinedIso}>{m.joinedText}</time>
          </td>
          <td>
            <MemberRowActions
              slug={rights.slug}
              member={{ userId: m.userId, label: m.name ?? m.email, role: m.role, permissions: m.permissions }}
              isSelf={m.userId === rights.selfId}
              canEdit={m.can.edit}
              canRemove={m.can.remove}
              canMakeOwner={m.can.makeOwner}
              canGrantAdmin={rights.canGrantAdmin}
              grantable={rights.grantable}
            />
          </td>
        </tr>
      ))}
    </Table>
  )
}

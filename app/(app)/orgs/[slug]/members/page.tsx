import type { Metadata } from 'next'
import { EmptyState, Table } from '@/components/ui/table'
import Link from 'next/link'
import { getDb } from '@/db/client'
import { requireOrgMember } from '@/lib/auth/org-context'
import { listPendingInvitations } from '@/lib/data/invitations'
import { listMembers } from '@/lib/data/members'
import { listGrantableProjects } from '@/lib/data/projects'
import { formatDate, levelLabels, roleLabels } from '@/lib/format'
import { canGrantAdminRole, grantablePermissions, hasPermission, permissionLabel } from '@/lib/permissions'
import { InviteMemberDialog } from './_components/invite-member-dialog'
import { InvitationRowActions } from './_components/invitation-row-actions'
import { MemberRowActions } from './_components/member-row-actions'
import { SeatLimitForm } from './_components/seat-limit-form'
import { getSeatUsage } from '@/lib/data/organizations'

export const metadata: Metadata = { title: 'Members' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>
const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : null)

const stateText = { pending: 'Pending', expired: 'Expired', delivery_failed: 'Delivery failed' } as const

function permissionSummary(role: string, permissions: string[]) {
  if (role === 'owner' || role === 'admin') return 'All permissions'
  return permissions.length ? permissions.map(permissionLabel).join(', ') : 'None'
}

export default async function MembersTab({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: SearchParams }) {
  const { slug } = await params
  const query = await searchParams
  const { org, membership, user } = await requireOrgMember(slug, `/orgs/${slug}/members`)
  if (!hasPermission(membership, 'members:read')) {
    return (
      <section aria-labelledby="members-heading">
        <h2 id="members-heading" className="text-lg font-semibold">
          Members
        </h2>
        <EmptyState>
          You do not have access to the member list of this organization. Ask an owner or admin to give you the “View members” permission.
        </EmptyState>
        <div className="mt-4 flex justify-start">
          <MemberRowActions
            slug={org.slug}
            member={{ userId: user.id, label: user.email, role: membership.role, permissions: membership.permissions }}
            isSelf
            canEdit={false}
            canRemove={false}
            canMakeOwner={false}
            canGrantAdmin={false}
            grantable={[]}
          />
        </div>
      </section>
    )
  }
  const db = getDb()
  const canInvite = hasPermission(membership, 'members:invite')
  const [members, invitations, projects, seats] = await Promise.all([
    listMembers(db, { orgId: org.id, actorId: user.id, cursor: one(query.members) }),
    listPendingInvitations(db, { orgId: org.id, actorId: user.id, cursor: one(query.invitations) }),
    canInvite ? listGrantableProjects(db, { orgId: org.id, actorId: user.id }) : Promise.resolve([]),
    membership.role === 'owner' ? getSeatUsage(db, { orgId: org.id }) : Promise.resolve(null),
  ])
  const base = `/orgs/${org.slug}/members`
  const isOwner = membership.role === 'owner'
  const grantableProjects = projects.map((p) => ({ id: p.id, name: p.name, maxLevel: p.level }))
  const grantable = grantablePermissions(membership)
  return (
    <>
      <section aria-labelledby="members-heading">
        <div className="flex items-center justify-between gap-4">
          <h2 id="members-heading" className="text-lg font-semibold">
            Members {members ? <span className="text-sm font-normal text-slate-600">({members.total})</span> : null}
          </h2>
          {canInvite ? (
            <InviteMemberDialog
              slug={org.slug}
              grantable={grantable}
              canInviteAdmin={canGrantAdminRole(membership)}
              projects={grantableProjects}
            />
          ) : null}
        </div>
        <Table className="mt-4" columns={[{ label: 'Member' }, { label: 'Role' }, { label: 'Permissions' }, { label: 'Joined' }, { label: 'Actions', isHidden: true }]}>
              {members?.items.map((m) => (
                <tr key={m.userId}>
                  <td className="px-4 py-2">
                    <span className="block font-medium break-all">{m.name ?? m.email}</span>
                    {m.name ? <span className="block text-slate-600 break-all">{m.email}</span> : null}
                  </td>
                  <td className="px-4 py-2">{roleLabels[m.role]}</td>
                  <td className="px-4 py-2">{permissionSummary(m.role, m.permissions)}</td>
                  <td className="px-4 py-2">
                    <time dateTime={m.joinedAt.toISOString()}>{formatDate(m.joinedAt)}</time>
                  </td>
                  <td className="px-4 py-2">
                    <MemberRowActions
                      slug={org.slug}
                      member={{ userId: m.userId, label: m.name ?? m.email, role: m.role, permissions: m.permissions }}
                      isSelf={m.userId === user.id}
                      canEdit={hasPermission(membership, 'members:manage_permissions') && (m.role !== 'owner' || isOwner)}
                      canRemove={hasPermission(membership, 'members:remove') && (m.role !== 'owner' || isOwner)}
                      canMakeOwner={isOwner}
                      canGrantAdmin={canGrantAdminRole(membership)}
                      grantable={grantable}
                    />
                  </td>
                </tr>
              ))}
            </Table>
        {members?.nextCursor ? (
          <p className="mt-2">
            <Link href={`${base}?members=${encodeURIComponent(members.nextCursor)}`} className="text-sm font-medium text-indigo-700 underline">
              Next page of members
            </Link>
          </p>
        ) : null}
      </section>

      {seats ? (
        <section aria-labelledby="seats-heading" className="mt-10">
          <h2 id="seats-heading" className="text-lg font-semibold">
            Seats
          </h2>
          <div className="mt-3">
            <SeatLimitForm slug={org.slug} limit={seats.limit} used={seats.used} />
          </div>
        </section>
      ) : null}

      <section aria-labelledby="pending-heading" className="mt-10">
        <h2 id="pending-heading" className="text-lg font-semibold">
          Pending invitations
        </h2>
        {!invitations || invitations.items.length === 0 ? (
          <EmptyState>
            No pending invitations.{canInvite ? ' Use Invite Member to add people to this organization.' : ''}
          </EmptyState>
        ) : (
          <Table className="mt-4" columns={[{ label: 'Email' }, { label: 'Permissions' }, { label: 'Invited by' }, { label: 'Sent' }, { label: 'Expires' }, { label: 'Status' }, ...(canInvite ? [{ label: 'Actions', isHidden: true }] : [])]}>
                {invitations.items.map((inv) => (
                  <tr key={inv.id}>
                    <td className="px-4 py-2 font-medium break-all">{inv.email}</td>
                    <td className="px-4 py-2">
                      {roleLabels[inv.role]}: {permissionSummary(inv.role, inv.permissions)}
                      {inv.projectGrants.length ? (
                        <span className="block text-slate-600">
                          Projects: {inv.projectGrants.map((g) => `${g.projectName} (${levelLabels[g.level]})`).join(', ')}
                        </span>
                      ) : null}
                    </td>
                    <td className="px-4 py-2 break-all">{inv.invitedBy ? (inv.invitedBy.name ?? inv.invitedBy.email) : 'Former member'}</td>
                    <td className="px-4 py-2">
                      <time dateTime={inv.lastSentAt.toISOString()}>{formatDate(inv.lastSentAt)}</time>
                    </td>
                    <td className="px-4 py-2">
                      <time dateTime={inv.expiresAt.toISOString()}>{formatDate(inv.expiresAt)}</time>
                    </td>
                    <td className="px-4 py-2">
                      <span className={inv.state === 'pending' ? 'text-slate-800' : 'font-medium text-red-800'}>{stateText[inv.state]}</span>
                      {inv.state === 'delivery_failed' && inv.deliveryError ? <span className="block text-xs text-slate-600">Resend to try again.</span> : null}
                    </td>
                    {canInvite ? (
                      <td className="px-4 py-2">
                        <InvitationRowActions
                          slug={org.slug}
                          invitationId={inv.id}
                          email={inv.email}
                          access={{ role: inv.role, permissions: inv.permissions, projects: Object.fromEntries(inv.projectGrants.map((g) => [g.projectId, g.level])) }}
                          grantable={grantable}
                          canGrantAdmin={canGrantAdminRole(membership)}
                          projects={grantableProjects}
                          projectNames={Object.fromEntries(inv.projectGrants.map((g) => [g.projectId, g.projectName]))}
                        />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </Table>
        )}
        {invitations?.nextCursor ? (
          <p className="mt-2">
            <Link href={`${base}?invitations=${encodeURIComponent(invitations.nextCursor)}`} className="text-sm font-medium text-indigo-700 underline">
              Next page of invitations
            </Link>
          </p>
        ) : null}
      </section>
    </>
  )
}

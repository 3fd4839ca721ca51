import type { Metadata } from 'next'
import { EmptyState } from '@/components/ui/table'
import Link from 'next/link'
import { getDb } from '@/db/client'
import { requireOrgMember } from '@/lib/auth/org-context'
import { listPendingInvitations } from '@/lib/data/invitations'
import { listMembers } from '@/lib/data/members'
import { listGrantableProjects } from '@/lib/data/projects'
import { formatDate, levelLabels, roleLabels } from '@/lib/format'
import { canGrantAdminRole, grantablePermissions, hasPermission, permissionLabel } from '@/lib/permissions'
import { InviteMemberDialog } from './_components/invite-member-dialog'
import { InvitationsTable } from './_components/invitations-table'
import { MemberRowActions } from './_components/member-row-actions'
import { MembersTable } from './_components/members-table'
import { SeatLimitForm } from './_components/seat-limit-form'

export const metadata: Metadata = { title: 'Members' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>
const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : null)

/** Rows per page of each list: two lists of 25 stay readable, and keep the tab as fast as the lightest page. */
const PAGE_SIZE = 25

const stateText = { pending: 'Pending', expired: 'Expired', delivery_failed: 'Delivery failed' } as const

function permissionSummary(role: string, permissions: string[]) {
  if (role === 'owner' || role === 'admin') return 'All permissions'
  return permissions.length ? permissions.map(permissionLabel).join(', ') : 'None'
}

export default async function MembersTab({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: SearchParams }) {
  const { slug } = await params
  const query = await searchParams
  const { org, seatLimit, membership, user } = await requireOrgMember(slug, `/orgs/${slug}/members`)
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
  const [members, invitations, projects] = await Promise.all([
    listMembers(db, { orgId: org.id, actorId: user.id, limit: PAGE_SIZE, cursor: one(query.members) }),
    listPendingInvitations(db, { orgId: org.id, actorId: user.id, limit: PAGE_SIZE, cursor: one(query.invitations) }),
    canInvite ? listGrantableProjects(db, { orgId: org.id, actorId: user.id }) : Promise.resolve([]),
  ])
  // Seats in use: members, and pending invitations that have not expired (as countSeatsUsed counts them).
  const seats = membership.role === 'owner' && members && invitations ? { limit: seatLimit, used: members.total + invitations.heldSeats } : null
  const base = `/orgs/${org.slug}/members`
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
        {members ? (
          <MembersTable
            members={members.items.map((m) => ({
              userId: m.userId,
              name: m.name,
              email: m.email,
              role: m.role,
              roleText: roleLabels[m.role],
              permissions: m.permissions,
              permissionsText: permissionSummary(m.role, m.permissions),
              joinedIso: m.joinedAt.toISOString(),
              joinedText: formatDate(m.joinedAt),
              can: m.can,
            }))}
            rights={{
              slug: org.slug,
              selfId: user.id,
              canGrantAdmin: canGrantAdminRole(membership),
              grantable,
            }}
          />
        ) : null}
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
          <InvitationsTable
            invitations={invitations.items.map((inv) => ({
              id: inv.id,
              email: inv.email,
              role: inv.role,
              permissions: inv.permissions,
              accessText: `${roleLabels[inv.role]}: ${permissionSummary(inv.role, inv.permissions)}`,
              projects: inv.projectGrants.map((g) => ({ id: g.projectId, name: g.projectName, level: g.level })),
              projectsText: inv.projectGrants.length ? `Projects: ${inv.projectGrants.map((g) => `${g.projectName} (${levelLabels[g.level]})`).join(', ')}` : null,
              invitedBy: inv.invitedBy ? (inv.invitedBy.name ?? inv.invitedBy.email) : 'Former member',
              sentIso: inv.lastSentAt.toISOString(),
              sentText: formatDate(inv.lastSentAt),
              expiresIso: inv.expiresAt.toISOString(),
              expiresText: formatDate(inv.expiresAt),
              stateText: stateText[inv.state],
              isFailing: inv.state !== 'pending',
              showRetryHint: inv.state === 'delivery_failed' && Boolean(inv.deliveryError),
            }))}
            rights={canInvite ? { slug: org.slug, grantable, canGrantAdmin: canGrantAdminRole(membership), projects: grantableProjects } : null}
          />
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

import type { Metadata } from 'next'
import { EmptyState } from '@/components/ui/table'
import Link from 'next/link'
import { withDb } from '@/lib/data/db'
import { requireOrgMember } from '@/lib/auth/org-context'
import { type InvitationStateFilter, listPendingInvitations } from '@/lib/data/invitations/list-pending-invitations'
import { listMembers } from '@/lib/data/members/list-members'
import { listGrantableProjects } from '@/lib/data/projects/list-grantable-projects'
import { formatDate, levelLabels, roleLabels } from '@/lib/format'
import { canGrantAdminRole, grantablePermissions, hasPermission, invitationCapabilities, memberCapabilities, permissionLabel } from '@/lib/permissions'
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

const stateText = { pending: 'Pending', expired: 'Expired', inviter_cannot_grant: 'Inviter can no longer grant this', delivery_failed: 'Delivery failed' } as const

/** The invitations filter (`?state=`), read on the server; anything else shows all. */
const stateFilters: { value: InvitationStateFilter | null; label: string; empty: string }[] = [
  { value: null, label: 'All', empty: 'No open invitations.' },
  { value: 'pending', label: 'Pending', empty: 'No pending invitations.' },
  { value: 'expired', label: 'Expired', empty: 'No expired invitations.' },
  { value: 'delivery_failed', label: 'Delivery failed', empty: 'No invitations whose email failed.' },
]
const stateFilterOf = (v: string | null) => stateFilters.find((f) => f.value !== null && f.value === v) ?? stateFilters[0]

function permissionSummary(role: string, permissions: string[]) {
  if (role === 'owner' || role === 'admin') return 'All permissions'
  return permissions.length ? permissions.map(permissionLabel).join(', ') : 'None'
}

export default async function MembersTab({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: SearchParams }) {
  const { slug } = await params
  const query = await searchParams
  const { org, seatLimit, membership, user, leave } = await requireOrgMember(slug, `/orgs/${slug}/members`)
  if (!hasPermission(membership, 'members:read')) {
    const self = { userId: user.id, ...membership }
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
            leave={leave}
            can={memberCapabilities(self, self)}
            canGrantAdmin={false}
            grantable={[]}
          />
        </div>
      </section>
    )
  }
  const canInvite = hasPermission(membership, 'members:invite')
  const filter = stateFilterOf(one(query.state))
  const [members, invitations, projects] = await Promise.all([
    withDb(listMembers, { orgId: org.id, actorId: user.id, limit: PAGE_SIZE, cursor: one(query.members) }),
    withDb(listPendingInvitations, { orgId: org.id, actorId: user.id, limit: PAGE_SIZE, cursor: one(query.invitations), state: filter.value }),
    canInvite ? withDb(listGrantableProjects, { orgId: org.id, actorId: user.id }) : Promise.resolve([]),
  ])
  const seats = membership.role === 'owner' && members ? { limit: seatLimit, used: members.seatsUsed } : null
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
              leave,
            }}
          />
        ) : null}
        {members?.nextCursor ? (
          <p className="mt-2">
            <Link href={`${base}?${new URLSearchParams({ members: members.nextCursor, ...(filter.value ? { state: filter.value } : {}) })}`} className="text-sm font-medium text-indigo-700 underline">
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

      <section aria-labelledby="invitations-heading" className="mt-10">
        {/* Named for what it holds: pending, expired and undelivered invitations alike (issue 14). */}
        <h2 id="invitations-heading" className="text-lg font-semibold">
          Invitations
        </h2>
        <nav aria-label="Invitation state" className="mt-3">
          <ul className="flex flex-wrap gap-2">
            {stateFilters.map((f) => (
              <li key={f.label}>
                <Link
                  href={f.value ? `${base}?state=${f.value}` : base}
                  aria-current={f === filter ? 'page' : undefined}
                  className={`inline-block rounded-full border px-3 py-1 text-sm font-medium ${f === filter ? 'border-indigo-700 bg-indigo-700 text-white' : 'border-slate-300 bg-white text-slate-800 hover:bg-slate-100'}`}
                >
                  {f.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {!invitations || invitations.items.length === 0 ? (
          <EmptyState>
            {filter.empty}
            {canInvite && !filter.value ? ' Use Invite Member to add people to this organization.' : ''}
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
              can: invitationCapabilities(membership, { status: inv.state === 'expired' ? 'expired' : 'pending', expiresAt: inv.expiresAt }),
              hint:
                inv.state === 'delivery_failed' && inv.deliveryError
                  ? 'Resend to try again.'
                  : inv.state === 'inviter_cannot_grant' && canInvite
                    ? 'Edit it to offer it as yourself, or revoke it.'
                    : null,
            }))}
            rights={canInvite ? { slug: org.slug, grantable, canGrantAdmin: canGrantAdminRole(membership), projects: grantableProjects } : null}
          />
        )}
        {invitations?.nextCursor ? (
          <p className="mt-2">
            <Link href={`${base}?${new URLSearchParams({ invitations: invitations.nextCursor, ...(filter.value ? { state: filter.value } : {}) })}`} className="text-sm font-medium text-indigo-700 underline">
              Next page of invitations
            </Link>
          </p>
        ) : null}
      </section>
    </>
  )
}

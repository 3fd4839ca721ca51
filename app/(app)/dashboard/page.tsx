import type { Metadata } from 'next'
import { EmptyState } from '@/components/ui/table'
import Link from 'next/link'
import { withDb } from '@/lib/data/db'
import { requireViewer } from '@/lib/auth/session'
import { listMyOrganizations } from '@/lib/data/organizations'
import { formatDate, roleLabels } from '@/lib/format'
import { permissionLabel } from '@/lib/permissions'
import { RespondButtons } from '../invitations/_components/respond-buttons'
import { inviterLabel } from '../_lib/open-invitations'
import { NameDialog } from '@/components/form/name-dialog'
import { ORG_NAME_MAX } from '@/lib/validations/organization'
import { createOrganizationAction } from './actions'

export const metadata: Metadata = { title: 'Dashboard' }

// After an answer, focus goes to where the joined organization is listed, or to the invitations left.
const focusAfterAnswer = { accept: ['overview-heading'], decline: ['invitations-heading', 'overview-heading'] }

export default async function DashboardPage() {
  const { user, open } = await requireViewer('/dashboard')
  const orgs = await withDb(listMyOrganizations, { userId: user.id })
  return (
    <>
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      {open.items.length > 0 ? (
        <section aria-labelledby="invitations-heading" className="mt-6">
          <h2 id="invitations-heading" tabIndex={-1} className="text-lg font-semibold">
            Invitations
          </h2>
          <ul className="mt-3 space-y-3">
            {open.items.map((inv) => (
              <li key={inv.id}>
                <section aria-label={`Invitation to join ${inv.organization.name}`} className="rounded-lg border border-indigo-200 bg-indigo-50 p-4">
                  <p className="text-slate-900">
                    <strong>{inviterLabel(inv.inviter)}</strong> invited you to join <strong>{inv.organization.name}</strong> as{' '}
                    {roleLabels[inv.role].toLowerCase()}.
                  </p>
                  <p className="mt-1 text-sm text-slate-700">
                    {inv.role === 'admin' || inv.permissions.length === 0
                      ? inv.role === 'admin'
                        ? 'Admins hold every organization permission.'
                        : 'No organization permissions beyond membership.'
                      : `Permissions: ${inv.permissions.map(permissionLabel).join(', ')}.`}{' '}
                    Expires {formatDate(inv.expiresAt)}.
                  </p>
                  {inv.inviterCanGrant ? (
                    <div className="mt-3">
                      <RespondButtons invitationId={inv.id} focusAfter={focusAfterAnswer} />
                    </div>
                  ) : (
                    // Accept would be refused (acceptInvitation checks the inviter's rights again), so it is not offered.
                    <p className="mt-3 text-sm font-medium text-red-800">
                      No longer valid: the person who invited you can no longer grant this access. Ask an admin of {inv.organization.name} to invite you again.
                    </p>
                  )}
                </section>
              </li>
            ))}
          </ul>
          {open.total > open.items.length ? <p className="mt-2 text-sm text-slate-700">{open.total - open.items.length} more invitations are waiting; answer these first.</p> : null}
        </section>
      ) : null}
      <section aria-labelledby="overview-heading" className="mt-8">
        <div className="flex items-center justify-between gap-4">
          <h2 id="overview-heading" tabIndex={-1} className="text-lg font-semibold">
            Organization Overview
          </h2>
          <NameDialog
            action={createOrganizationAction}
            title="Create organization"
            fieldLabel="Organization name"
            hint={`Up to ${ORG_NAME_MAX} characters. You can invite people next.`}
            maxLength={ORG_NAME_MAX}
          />
        </div>
        {orgs.length === 0 ? (
          <EmptyState>
            You are not in any organization yet. Create one with the button above, or accept an invitation when someone invites you.
          </EmptyState>
        ) : (
          <ul className="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
            {orgs.map((org) => (
              <li key={org.id} className="flex items-center justify-between gap-4 px-4 py-3">
                <Link href={`/orgs/${org.slug}`} className="min-w-0 [overflow-wrap:anywhere] font-medium text-indigo-700 underline-offset-2 hover:underline">
                  {org.name}
                </Link>
                <span className="text-sm text-slate-600">{roleLabels[org.role]}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  )
}

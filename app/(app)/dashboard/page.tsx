import type { Metadata } from 'next'
import Link from 'next/link'
import { getDb } from '@/db/client'
import { requireUser } from '@/lib/auth/session'
import { listMyOrganizations } from '@/lib/data/organizations'
import { CreateOrganizationDialog } from './_components/create-organization-dialog'

export const metadata: Metadata = { title: 'Dashboard' }

const roleLabel = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const

export default async function DashboardPage() {
  const user = await requireUser('/dashboard')
  const orgs = await listMyOrganizations(getDb(), { userId: user.id })
  return (
    <>
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      <section aria-labelledby="overview-heading" className="mt-8">
        <div className="flex items-center justify-between gap-4">
          <h2 id="overview-heading" className="text-lg font-semibold">
            Organization Overview
          </h2>
          <CreateOrganizationDialog />
        </div>
        {orgs.length === 0 ? (
          <p className="mt-4 rounded-lg border border-dashed border-slate-300 bg-white p-6 text-slate-700">
            You are not in any organization yet. Create one with the button above, or accept an invitation when someone invites you.
          </p>
        ) : (
          <ul className="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
            {orgs.map((org) => (
              <li key={org.id} className="flex items-center justify-between px-4 py-3">
                <Link href={`/orgs/${org.slug}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline">
                  {org.name}
                </Link>
                <span className="text-sm text-slate-600">{roleLabel[org.role]}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  )
}

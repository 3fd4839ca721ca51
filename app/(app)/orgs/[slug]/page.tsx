import type { Metadata } from 'next'
import { EmptyState } from '@/components/ui/table'
import Link from 'next/link'
import { withDb } from '@/lib/data/db'
import { requireOrgMember } from '@/lib/auth/org-context'
import { listVisibleProjects } from '@/lib/data/projects/list-visible-projects'
import { NameDialog } from '@/components/form/name-dialog'
import { hasPermission } from '@/lib/permissions'
import { PROJECT_NAME_MAX } from '@/lib/validations/project'
import { createProjectAction } from './actions'

export const metadata: Metadata = { title: 'Projects' }

export default async function ProjectsTab({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  const { org, membership, user } = await requireOrgMember(slug, `/orgs/${slug}`)
  const projects = await withDb(listVisibleProjects, { orgId: org.id, userId: user.id })
  const canCreate = hasPermission(membership, 'projects:create')
  // As listVisibleProjects decides: these see every project of the organization.
  const seesAll = hasPermission(membership, 'projects:manage_all')
  return (
    <section aria-labelledby="projects-heading">
      <div className="flex items-center justify-between gap-4">
        <h2 id="projects-heading" className="text-lg font-semibold">
          Projects
        </h2>
        {canCreate ? (
          <NameDialog
            action={createProjectAction}
            title="Create project"
            fieldLabel="Project name"
            hint={`Up to ${PROJECT_NAME_MAX} characters. You become the project's admin.`}
            maxLength={PROJECT_NAME_MAX}
            hidden={{ slug: org.slug }}
          />
        ) : null}
      </div>
      {projects.length === 0 ? (
        seesAll ? (
          // Owners, admins and holders of Manage all projects see every project: none exist, and asking an admin is no advice.
          <EmptyState>
            <p className="font-medium text-slate-900">This organization has no projects yet.</p>
            <p className="mt-2">
              {canCreate
                ? 'Create the first one with Create project. You become its admin and can grant members access on its page.'
                : 'Projects appear here once someone with the Create projects permission creates one.'}
            </p>
          </EmptyState>
        ) : (
          <EmptyState>
            <p className="font-medium text-slate-900">You do not see any projects in this organization yet.</p>
            <p className="mt-2">This can happen for two reasons:</p>
            <ul className="mt-2 list-disc space-y-1 pl-6">
              <li>the organization has not created any projects yet;</li>
              <li>you have not been given access to any of its projects yet. Ask an admin of the organization to grant you access.</li>
            </ul>
            {canCreate ? <p className="mt-2">You can also create a project yourself with Create project.</p> : null}
          </EmptyState>
        )
      ) : (
        <ul className="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {projects.map((p) => (
            <li key={p.id} className="flex items-center justify-between gap-4 px-4 py-3">
              <Link href={`/orgs/${org.slug}/projects/${p.id}`} className="min-w-0 [overflow-wrap:anywhere] font-medium text-indigo-700 underline-offset-2 hover:underline">
                {p.name}
              </Link>
              <span className="text-sm text-slate-600">{p.level === 'admin' ? 'Admin' : p.level === 'edit' ? 'Edit' : 'View'}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

import type { Metadata } from 'next'
import { EmailText } from '@/components/ui/email-text'
import { Cell, EmptyState, Table } from '@/components/ui/table'
import { notFound } from 'next/navigation'
import { withDb } from '@/lib/data/db'
import { NameDialog } from '@/components/form/name-dialog'
import { requireOrgMember } from '@/lib/auth/org-context'
import { getProject } from '@/lib/data/projects/get-project'
import { listProjectMembers } from '@/lib/data/projects/list-project-members'
import { levelLabels } from '@/lib/format'
import { PROJECT_NAME_MAX } from '@/lib/validations/project'
import { renameProjectAction } from './actions'
import { AccessRowActions, DeleteProjectButton, GrantAccessForm } from './_components/project-access'

export const metadata: Metadata = { title: 'Project' }

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)

export default async function ProjectPage({ params }: { params: Promise<{ slug: string; projectId: string }> }) {
  const { slug, projectId } = await params
  const { org, user } = await requireOrgMember(slug, `/orgs/${slug}/projects/${projectId}`)
  if (!isUuid(projectId)) notFound()
  const project = await withDb(getProject, { orgId: org.id, actorId: user.id, projectId })
  if (!project) notFound()
  const members = await withDb(listProjectMembers, { orgId: org.id, actorId: user.id, projectId })
  const { can } = project
  return (
    <section aria-labelledby="project-heading">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="project-heading" className="text-lg font-semibold break-words">
          Project: {project.name}
        </h2>
        {can.rename || can.delete ? (
          <div className="flex gap-2">
            {can.rename ? (
              <NameDialog
                action={renameProjectAction}
                title="Rename project"
                fieldLabel="Project name"
                hint={`Up to ${PROJECT_NAME_MAX} characters.`}
                maxLength={PROJECT_NAME_MAX}
                hidden={{ slug: org.slug, projectId: project.id }}
                submitLabel="Rename"
                pendingLabel="Renaming…"
                defaultName={project.name}
              />
            ) : null}
            {can.delete ? <DeleteProjectButton slug={org.slug} projectId={project.id} name={project.name} /> : null}
          </div>
        ) : null}
      </div>
      <p className="mt-1 text-sm text-slate-600">Your access: {levelLabels[project.myLevel]}</p>

      <h3 className="mt-6 font-semibold">People with access</h3>
      {!members || members.items.length === 0 ? (
        <EmptyState className="mt-2">
          Nobody has access granted on this project yet.{can.manageAccess ? ' Grant access to a member below.' : ''}
        </EmptyState>
      ) : (
        <Table className="mt-2" columns={[{ label: 'Member' }, { label: 'Access' }, ...(can.manageAccess ? [{ label: 'Actions', isHidden: true }] : [])]}>
          {members.items.map((m) => (
            <tr key={m.userId}>
              <Cell className="font-medium [overflow-wrap:anywhere]">{m.name ?? <EmailText email={m.email} />}</Cell>
              <Cell label="Access">{levelLabels[m.level]}</Cell>
              {can.manageAccess ? (
                <Cell>
                  {m.userId === user.id ? null : (
                    <AccessRowActions slug={org.slug} projectId={project.id} userId={m.userId} label={m.email} level={m.level} maxLevel={project.myLevel} />
                  )}
                </Cell>
              ) : null}
            </tr>
          ))}
        </Table>
      )}
      {can.manageAccess ? (
        <div className="mt-6 rounded-lg border border-slate-200 bg-white p-4">
          <h3 className="mb-3 font-semibold">Grant access</h3>
          <GrantAccessForm slug={org.slug} projectId={project.id} maxLevel={project.myLevel} />
        </div>
      ) : null}
    </section>
  )
}

import { formatDate, levelLabels, roleLabels } from '@/lib/format'
import { permissionLabel, type ProjectLevel } from '@/lib/permissions'

/** What an invitation offers: role, organization permissions and project access. */
export function InvitationDetails({
  role,
  permissions,
  projectGrants,
  expiresAt,
}: {
  role: 'admin' | 'member'
  permissions: string[]
  projectGrants: { projectName: string; level: ProjectLevel }[]
  expiresAt: Date
}) {
  return (
    <dl className="mt-4 space-y-3 text-sm">
      <div>
        <dt className="font-medium text-slate-900">Role</dt>
        <dd className="text-slate-700">{roleLabels[role]}</dd>
      </div>
      <div>
        <dt className="font-medium text-slate-900">Organization permissions</dt>
        <dd className="text-slate-700">
          {role === 'admin' ? 'All (admins hold every organization permission)' : permissions.length ? permissions.map(permissionLabel).join(', ') : 'None beyond membership'}
        </dd>
      </div>
      <div>
        <dt className="font-medium text-slate-900">Project access</dt>
        <dd className="text-slate-700">
          {projectGrants.length ? projectGrants.map((g) => `${g.projectName} (${levelLabels[g.level]})`).join(', ') : 'None yet'}
        </dd>
      </div>
      <div>
        <dt className="font-medium text-slate-900">Expires</dt>
        <dd className="text-slate-700">{formatDate(expiresAt)}</dd>
      </div>
    </dl>
  )
}

'use client'

import { useId } from 'react'
import { ORG_PERMISSIONS, type ProjectLevel } from '@/lib/permissions'

export interface GrantableProject {
  id: string
  name: string
  maxLevel: ProjectLevel
}

export interface AccessValue {
  role: 'admin' | 'member'
  permissions: string[]
  /** project id → level; absent means no access */
  projects: Record<string, ProjectLevel>
}

const levels: ProjectLevel[] = ['view', 'edit', 'admin']
const levelText: Record<ProjectLevel, string> = { view: 'View', edit: 'Edit', admin: 'Admin' }

function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  return errors?.length ? (
    <p id={id} className="mt-1 text-sm text-red-700">
      {errors.join(' ')}
    </p>
  ) : null
}

/**
 * Role, the six permission checkboxes and project access, as posted by the
 * invite and edit-invitation forms (`role`, `permissions[]`, `projects[]`).
 * What the caller may not grant is disabled; the server refuses it anyway.
 */
export function AccessFields({
  value,
  onChange,
  grantable,
  canGrantAdmin,
  projects,
  errors = {},
}: {
  value: AccessValue
  onChange: (value: AccessValue) => void
  grantable: string[]
  canGrantAdmin: boolean
  projects: GrantableProject[]
  errors?: Record<string, string[] | undefined>
}) {
  const id = useId()
  const togglePermission = (key: string, on: boolean) =>
    onChange({ ...value, permissions: on ? [...value.permissions, key] : value.permissions.filter((p) => p !== key) })
  return (
    <>
      <fieldset aria-describedby={errors.role ? `${id}-role-error` : undefined}>
        <legend className="text-sm font-medium">Role</legend>
        <div className="mt-1 flex gap-6">
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name="role" value="member" checked={value.role === 'member'} onChange={() => onChange({ ...value, role: 'member' })} /> Member
          </label>
          <label className={`flex items-center gap-2 text-sm ${canGrantAdmin ? '' : 'text-slate-500'}`}>
            <input type="radio" name="role" value="admin" disabled={!canGrantAdmin} checked={value.role === 'admin'} onChange={() => onChange({ ...value, role: 'admin' })} />{' '}
            Admin
            {canGrantAdmin ? null : <span className="text-xs">(only admins and owners)</span>}
          </label>
        </div>
        <p className="mt-1 text-sm text-slate-600">Admins hold every permission below; members hold exactly the ones you tick.</p>
        <FieldError id={`${id}-role-error`} errors={errors.role} />
      </fieldset>
      <fieldset aria-describedby={errors.permissions ? `${id}-perm-error` : undefined}>
        <legend className="text-sm font-medium">Permissions</legend>
        <ul className="mt-1 grid gap-1 sm:grid-cols-2">
          {ORG_PERMISSIONS.map((p) => {
            const isGrantable = grantable.includes(p.key)
            return (
              <li key={p.key}>
                <label className={`flex items-center gap-2 text-sm ${isGrantable ? '' : 'text-slate-500'}`}>
                  <input
                    type="checkbox"
                    name="permissions[]"
                    value={p.key}
                    disabled={!isGrantable}
                    checked={value.permissions.includes(p.key)}
                    onChange={(e) => togglePermission(p.key, e.target.checked)}
                  />
                  {p.label}
                </label>
              </li>
            )
          })}
        </ul>
        {grantable.length < ORG_PERMISSIONS.length ? <p className="mt-1 text-sm text-slate-600">You can grant only the permissions you hold.</p> : null}
        <FieldError id={`${id}-perm-error`} errors={errors.permissions} />
      </fieldset>
      <fieldset aria-describedby={errors.projects ? `${id}-proj-error` : undefined}>
        <legend className="text-sm font-medium">Project access</legend>
        {projects.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">There are no projects you can grant access to. You can grant access later.</p>
        ) : (
          <ul className="mt-1 space-y-2">
            {projects.map((project) => (
              <li key={project.id} className="flex items-center justify-between gap-3">
                <label htmlFor={`${id}-p-${project.id}`} className="text-sm">
                  {project.name}
                </label>
                <select
                  id={`${id}-p-${project.id}`}
                  name="projects[]"
                  value={`${project.id}:${value.projects[project.id] ?? 'none'}`}
                  onChange={(e) => {
                    const level = e.target.value.split(':')[1]
                    const next = { ...value.projects }
                    if (level === 'none') delete next[project.id]
                    else next[project.id] = level as ProjectLevel
                    onChange({ ...value, projects: next })
                  }}
                  className="rounded-md border border-slate-400 px-2 py-1 text-sm"
                >
                  <option value={`${project.id}:none`}>No access</option>
                  {levels.slice(0, levels.indexOf(project.maxLevel) + 1).map((level) => (
                    <option key={level} value={`${project.id}:${level}`}>
                      {levelText[level]}
                    </option>
                  ))}
                </select>
              </li>
            ))}
          </ul>
        )}
        <FieldError id={`${id}-proj-error`} errors={errors.projects} />
      </fieldset>
    </>
  )
}

/** The posted fields of an AccessValue, for actions called without a form element. */
export function accessFields(value: AccessValue): Record<string, string | string[]> {
  return {
    role: value.role,
    'permissions[]': value.permissions,
    'projects[]': Object.entries(value.projects).map(([projectId, level]) => `${projectId}:${level}`),
  }
}

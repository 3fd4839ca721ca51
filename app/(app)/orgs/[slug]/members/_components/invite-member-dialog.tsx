'use client'

import { useActionState, useEffect, useId, useRef } from 'react'
import { Button, SubmitButton } from '@/components/ui/button'
import { useToast } from '@/components/ui/toaster'
import { idleState, type ActionState } from '@/lib/actions/state'
import { ORG_PERMISSIONS, type ProjectLevel } from '@/lib/permissions'
import { inviteMembersAction, type InviteResultRow } from '../actions'

const outcomeText: Record<InviteResultRow['outcome'], string> = {
  invited: 'invited',
  already_member: 'already a member',
  already_invited: 'already invited: use Resend in Pending invitations',
  invalid: 'not a valid email address',
  rate_limited: 'not sent: the daily invitation limit was reached, try again tomorrow',
  seat_limit: 'not sent: the organization has no free seats',
}

const levels: ProjectLevel[] = ['view', 'edit', 'admin']
const levelText: Record<ProjectLevel, string> = { view: 'View', edit: 'Edit', admin: 'Admin' }

export interface GrantableProject {
  id: string
  name: string
  maxLevel: ProjectLevel
}

function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  return errors?.length ? (
    <p id={id} className="mt-1 text-sm text-red-700">
      {errors.join(' ')}
    </p>
  ) : null
}

export function InviteMemberDialog({
  slug,
  grantable,
  canInviteAdmin,
  projects,
}: {
  slug: string
  grantable: string[]
  canInviteAdmin: boolean
  projects: GrantableProject[]
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const toast = useToast()
  const [state, action] = useActionState(inviteMembersAction, idleState as ActionState<InviteResultRow[]>)
  const id = useId()
  const values = state.values ?? {}
  const chosen = new Set((values['permissions[]'] ?? '').split(',').filter(Boolean))
  const chosenProjects = new Map((values['projects[]'] ?? '').split(',').filter(Boolean).map((v) => v.split(':') as [string, string]))

  useEffect(() => {
    if (state.status === 'success' && state.message) toast(state.message)
  }, [state, toast])

  return (
    <>
      <Button onClick={() => dialog.current?.showModal()} aria-haspopup="dialog">
        Invite Member
      </Button>
      <dialog ref={dialog} aria-labelledby={`${id}-title`} className="m-auto w-full max-w-xl rounded-lg p-0 shadow-xl">
        <form action={action} noValidate className="max-h-[85vh] space-y-5 overflow-y-auto p-6" key={state.status === 'success' ? JSON.stringify(state.data) : 'form'}>
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            Invite Member
          </h2>
          <input type="hidden" name="slug" value={slug} />
          <div>
            <label htmlFor={`${id}-emails`} className="block text-sm font-medium">
              Email address
            </label>
            <p id={`${id}-emails-hint`} className="text-sm text-slate-600">
              One address, or several separated by commas, spaces or new lines (up to 50).
            </p>
            <textarea
              id={`${id}-emails`}
              name="emails"
              rows={2}
              required
              defaultValue={state.status === 'success' ? '' : (values.emails ?? '')}
              aria-invalid={state.fieldErrors?.emails ? true : undefined}
              aria-describedby={`${id}-emails-hint${state.fieldErrors?.emails ? ` ${id}-emails-error` : ''}`}
              className="mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 aria-[invalid=true]:border-red-700"
            />
            <FieldError id={`${id}-emails-error`} errors={state.fieldErrors?.emails} />
          </div>
          <fieldset aria-describedby={state.fieldErrors?.role ? `${id}-role-error` : undefined}>
            <legend className="text-sm font-medium">Role</legend>
            <div className="mt-1 flex gap-6">
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name="role" value="member" defaultChecked={(values.role ?? 'member') === 'member'} /> Member
              </label>
              <label className={`flex items-center gap-2 text-sm ${canInviteAdmin ? '' : 'text-slate-500'}`}>
                <input type="radio" name="role" value="admin" disabled={!canInviteAdmin} defaultChecked={values.role === 'admin'} /> Admin
                {canInviteAdmin ? null : <span className="text-xs">(only admins and owners)</span>}
              </label>
            </div>
            <p className="mt-1 text-sm text-slate-600">Admins hold every permission below; members hold exactly the ones you tick.</p>
            <FieldError id={`${id}-role-error`} errors={state.fieldErrors?.role} />
          </fieldset>
          <fieldset aria-describedby={state.fieldErrors?.permissions ? `${id}-perm-error` : undefined}>
            <legend className="text-sm font-medium">Permissions</legend>
            <ul className="mt-1 grid gap-1 sm:grid-cols-2">
              {ORG_PERMISSIONS.map((p) => {
                const isGrantable = grantable.includes(p.key)
                return (
                  <li key={p.key}>
                    <label className={`flex items-center gap-2 text-sm ${isGrantable ? '' : 'text-slate-500'}`}>
                      <input type="checkbox" name="permissions[]" value={p.key} disabled={!isGrantable} defaultChecked={chosen.has(p.key)} />
                      {p.label}
                    </label>
                  </li>
                )
              })}
            </ul>
            {grantable.length < ORG_PERMISSIONS.length ? <p className="mt-1 text-sm text-slate-600">You can grant only the permissions you hold.</p> : null}
            <FieldError id={`${id}-perm-error`} errors={state.fieldErrors?.permissions} />
          </fieldset>
          <fieldset aria-describedby={state.fieldErrors?.projects ? `${id}-proj-error` : undefined}>
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
                      defaultValue={`${project.id}:${chosenProjects.get(project.id) ?? 'none'}`}
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
            <FieldError id={`${id}-proj-error`} errors={state.fieldErrors?.projects} />
          </fieldset>
          {state.status === 'error' && !state.data ? (
            <p role="alert" className="text-sm text-red-700">
              {state.message}
            </p>
          ) : null}
          {state.data?.length ? (
            <div role="status">
              <p className="text-sm font-medium">{state.message}</p>
              <ul className="mt-1 space-y-0.5 text-sm" aria-label="Invitation results">
                {state.data.map((row) => (
                  <li key={row.email} className={row.outcome === 'invited' ? 'text-emerald-800' : 'text-amber-900'}>
                    <span className="break-all font-medium">{row.email}</span>: {outcomeText[row.outcome]}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>
              Close
            </Button>
            <SubmitButton pendingText="Inviting…">Invite</SubmitButton>
          </div>
        </form>
      </dialog>
    </>
  )
}

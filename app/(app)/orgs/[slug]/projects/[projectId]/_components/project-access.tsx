'use client'

import { useActionState, useState } from 'react'
import { TextField } from '@/components/form/text-field'
import { FormMessage } from '@/components/form/form-message'
import { Button, SubmitButton } from '@/components/ui/button'
import { ConfirmButton } from '@/components/ui/confirm-button'
import { useAnnouncedAction } from '@/components/ui/use-announced-action'
import { idleState } from '@/lib/actions/state'
import type { ProjectLevel } from '@/lib/permissions'
import { deleteProjectAction, grantProjectAccessAction, setProjectAccessAction } from '../actions'

const levels: { value: ProjectLevel; label: string }[] = [
  { value: 'view', label: 'View' },
  { value: 'edit', label: 'Edit' },
  { value: 'admin', label: 'Admin' },
]

const allowed = (maxLevel: ProjectLevel) => levels.slice(0, levels.findIndex((l) => l.value === maxLevel) + 1)

export function GrantAccessForm({ slug, projectId, maxLevel }: { slug: string; projectId: string; maxLevel: ProjectLevel }) {
  const [state, action] = useActionState(grantProjectAccessAction, idleState)
  return (
    <form action={action} noValidate className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="projectId" value={projectId} />
      <TextField
        label="Member email"
        name="email"
        type="email"
        className="min-w-64 flex-1"
        defaultValue={state.status === 'success' ? '' : (state.values?.email ?? '')}
        key={state.status === 'success' ? state.message : state.values?.email}
        errors={state.fieldErrors?.email}
      />
      <div>
        <label htmlFor="grant-level" className="block text-sm font-medium">
          Access level
        </label>
        <select id="grant-level" name="level" defaultValue={state.values?.level ?? 'view'} className="mt-1 rounded-md border border-slate-400 px-2 py-2 text-sm">
          {allowed(maxLevel).map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </div>
      <SubmitButton pendingText="Granting…">Grant access</SubmitButton>
      <FormMessage state={state} className="w-full" />
    </form>
  )
}

export function AccessRowActions({
  slug,
  projectId,
  userId,
  label,
  level,
  maxLevel,
}: {
  slug: string
  projectId: string
  userId: string
  label: string
  level: ProjectLevel
  maxLevel: ProjectLevel
}) {
  const [chosen, setChosen] = useState<ProjectLevel>(level)
  const [isSaving, save] = useAnnouncedAction(setProjectAccessAction)
  const [isRemoving, remove] = useAnnouncedAction(setProjectAccessAction)
  const fields = { slug, projectId, userId }
  const options = allowed(maxLevel)
  const canChange = options.some((o) => o.value === level)
  if (!canChange) return <span className="text-sm text-slate-600">Above your level</span>
  return (
    <div className="flex flex-wrap items-center gap-2 sm:justify-end">
      <label className="sr-only" htmlFor={`level-${userId}`}>
        Access level for {label}
      </label>
      <select id={`level-${userId}`} value={chosen} onChange={(e) => setChosen(e.target.value as ProjectLevel)} className="rounded-md border border-slate-400 px-2 py-1.5 text-sm">
        {options.map((l) => (
          <option key={l.value} value={l.value}>
            {l.label}
          </option>
        ))}
      </select>
      <Button variant="secondary" disabled={isSaving || chosen === level} onClick={() => save({ ...fields, level: chosen })} aria-label={`Save access level for ${label}`}>
        {isSaving ? 'Saving…' : 'Save'}
      </Button>
      <ConfirmButton
        label="Remove access"
        ariaLabel={`Remove access of ${label}`}
        title="Remove project access?"
        confirmLabel="Remove access"
        pendingLabel="Removing…"
        isPending={isRemoving}
        onConfirm={(close) => remove({ ...fields, level: 'none' }, close)}
      >
        <strong className="break-all">{label}</strong> no longer sees this project (unless their organization permissions let them).
      </ConfirmButton>
    </div>
  )
}

export function DeleteProjectButton({ slug, projectId, name }: { slug: string; projectId: string; name: string }) {
  const [isDeleting, remove] = useAnnouncedAction(deleteProjectAction)
  return (
    <ConfirmButton
      label="Delete project"
      title="Delete this project?"
      confirmLabel="Delete project"
      pendingLabel="Deleting…"
      isPending={isDeleting}
      variant="danger"
      onConfirm={(close) => remove({ slug, projectId }, close)}
    >
      <strong className="break-words">{name}</strong> and everyone&apos;s access to it are removed for good.
    </ConfirmButton>
  )
}

'use client'

import { useEffect, useId, useRef } from 'react'
import { TextField } from '@/components/form/text-field'
import { FormMessage } from '@/components/form/form-message'
import { Button, SubmitButton } from '@/components/ui/button'
import { useToast } from '@/components/ui/toaster'
import { useFormAction } from './use-form-action'
import type { ActionState } from '@/lib/actions/state'

/** A button that opens a dialog with one name field: "Create organization", "Create project". */
export function NameDialog({
  action,
  title,
  fieldLabel,
  hint,
  maxLength,
  hidden = {},
  submitLabel = 'Create',
  pendingLabel = 'Creating…',
  defaultName = '',
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>
  title: string
  fieldLabel: string
  hint: string
  maxLength: number
  hidden?: Record<string, string>
  submitLabel?: string
  pendingLabel?: string
  defaultName?: string
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const [state, form] = useFormAction(action)
  const toast = useToast()

  useEffect(() => {
    if (state.status !== 'success') return
    dialog.current?.close()
    if (state.message) toast(state.message)
  }, [state, toast])
  return (
    <>
      <Button onClick={() => dialog.current?.showModal()} aria-haspopup="dialog">
        {title}
      </Button>
      <dialog ref={dialog} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl">
        <form {...form} noValidate className="space-y-4 p-6">
          <h2 id={titleId} className="text-lg font-semibold">
            {title}
          </h2>
          {Object.entries(hidden).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <TextField
            label={fieldLabel}
            name="name"
            required
            maxLength={maxLength + 20}
            autoComplete="off"
            defaultValue={state.values?.name ?? defaultName}
            key={state.status === 'success' ? 'done' : state.values?.name}
            errors={state.fieldErrors?.name}
            hint={hint}
          />
          {state.status === 'error' && !state.fieldErrors ? <FormMessage state={state} /> : null}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </Button>
            <SubmitButton pendingText={pendingLabel}>{submitLabel}</SubmitButton>
          </div>
        </form>
      </dialog>
    </>
  )
}

'use client'

import { useActionState, useRef } from 'react'
import { TextField } from '@/components/form/text-field'
import { FormMessage } from '@/components/form/form-message'
import { Button, SubmitButton } from '@/components/ui/button'
import { idleState } from '@/lib/actions/state'
import { ORG_NAME_MAX } from '@/lib/validations/organization'
import { createOrganizationAction } from '../actions'

export function CreateOrganizationDialog() {
  const dialog = useRef<HTMLDialogElement>(null)
  const [state, action] = useActionState(createOrganizationAction, idleState)
  return (
    <>
      <Button onClick={() => dialog.current?.showModal()} aria-haspopup="dialog">
        Create organization
      </Button>
      <dialog ref={dialog} aria-labelledby="create-org-title" className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl">
        <form action={action} noValidate className="space-y-4 p-6">
          <h2 id="create-org-title" className="text-lg font-semibold">
            Create organization
          </h2>
          <TextField
            label="Organization name"
            name="name"
            required
            maxLength={ORG_NAME_MAX + 20}
            autoComplete="organization"
            defaultValue={state.values?.name ?? ''}
            key={state.values?.name}
            errors={state.fieldErrors?.name}
            hint={`Up to ${ORG_NAME_MAX} characters. You can invite people next.`}
          />
          {state.status === 'error' && !state.fieldErrors ? <FormMessage state={state} /> : null}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </Button>
            <SubmitButton pendingText="Creating…">Create</SubmitButton>
          </div>
        </form>
      </dialog>
    </>
  )
}

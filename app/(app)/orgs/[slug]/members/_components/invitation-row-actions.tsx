'use client'

import { useId, useRef, useState } from 'react'
import { Button } from '@/components/ui/button'
import { ConfirmButton } from '@/components/ui/confirm-button'
import { focusWhenGone } from '@/components/ui/focus-when-gone'
import { isUnreachable, useAnnouncedAction } from '@/components/ui/use-announced-action'
import { useModal } from '@/components/ui/use-modal'
import type { ActionState } from '@/lib/actions/state'
import { resendInvitationAction, revokeInvitationAction, updateInvitationAction } from '../actions'
import type { InvitationCapabilities } from '@/lib/permissions'
import { AccessFields, accessFields, type AccessValue, type GrantableProject } from './access-fields'

/** Edit, Resend, and Revoke behind a confirmation, for one open invitation, as far as its verdict allows. */
export function InvitationRowActions({
  slug,
  invitationId,
  email,
  can,
  access,
  grantable,
  canGrantAdmin,
  projects,
  projectNames,
}: {
  slug: string
  invitationId: string
  email: string
  can: InvitationCapabilities
  access: AccessValue
  grantable: string[]
  canGrantAdmin: boolean
  projects: GrantableProject[]
  projectNames: Record<string, string>
}) {
  const [isResending, resend] = useAnnouncedAction(resendInvitationAction)
  const [isRevoking, revoke] = useAnnouncedAction(revokeInvitationAction)
  const [isSaving, save] = useAnnouncedAction(updateInvitationAction)
  const [value, setValue] = useState(access)
  const [error, setError] = useState<string | null>(null)
  const [failure, setFailure] = useState<string | null>(null)
  const root = useRef<HTMLDivElement>(null)
  const editor = useModal()
  const titleId = useId()
  const fields = { slug, invitationId }
  // A project offered by someone with more access than the editor still shows, up to what is offered.
  const editable = [
    ...projects,
    ...Object.keys(access.projects)
      .filter((id) => !projects.some((p) => p.id === id))
      .map((id) => ({ id, name: projectNames[id] ?? 'Project', maxLevel: access.projects[id] })),
  ]

  // A revoked row leaves the list: focus goes to the next row's first button (or the one before),
  // else to the section's heading, not to the page body.
  function afterRevoke(done: (result?: ActionState<unknown>) => void) {
    const row = root.current?.closest('tr, li')
    const neighbour = row?.nextElementSibling ?? row?.previousElementSibling
    const heading = row?.closest('section')?.querySelector<HTMLElement>('h2, h3')
    return (result: ActionState<unknown>) => {
      done(result)
      if (result.status === 'success' && row) focusWhenGone(row, () => (neighbour?.isConnected ? neighbour.querySelector('button') : null) ?? heading)
    }
  }

  return (
    <div ref={root} className="flex flex-wrap justify-end gap-2">
      {can.edit ? (
        <Button variant="secondary" onClick={editor.open} aria-haspopup="dialog" aria-label={`Edit invitation to ${email}`}>
          Edit
        </Button>
      ) : null}
      {can.edit && editor.isOpen ? (
      <dialog {...editor.dialogProps} aria-labelledby={titleId} className="m-auto w-full max-w-xl rounded-lg p-0 text-left shadow-xl">
        <form
          className="max-h-[85vh] space-y-5 overflow-y-auto p-6"
          onSubmit={(e) => {
            e.preventDefault()
            setError(null)
            save({ ...fields, ...accessFields(value) }, (result) => {
              if (result.status === 'success') editor.close()
              else setError(result.message ?? 'Not saved.')
            })
          }}
        >
          <h2 id={titleId} className="text-lg font-semibold">
            Edit invitation to {email}
          </h2>
          <p className="text-sm text-slate-700">The link in the email stays the same; it will offer what you choose here.</p>
          <AccessFields value={value} onChange={setValue} grantable={grantable} canGrantAdmin={canGrantAdmin} projects={editable} />
          {error ? (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={editor.close}>
              Cancel
            </Button>
            <Button type="submit" disabled={isSaving}>
              {isSaving ? 'Saving…' : 'Save invitation'}
            </Button>
          </div>
        </form>
      </dialog>
      ) : null}
      {can.resend ? (
        // aria-disabled, not disabled, while working: a disabled button drops focus to the page body.
        <Button
          variant="secondary"
          onClick={() => {
            if (isResending) return
            setFailure(null)
            resend(fields, (result) => setFailure(isUnreachable(result) ? (result.message ?? null) : null))
          }}
          aria-disabled={isResending || undefined}
          aria-label={`Resend invitation to ${email}`}
        >
          {isResending ? 'Resending…' : 'Resend'}
        </Button>
      ) : null}
      {can.revoke ? (
        <ConfirmButton
          label="Revoke"
          ariaLabel={`Revoke invitation to ${email}`}
          title="Revoke invitation?"
          confirmLabel="Revoke invitation"
          pendingLabel="Revoking…"
          isPending={isRevoking}
          onConfirm={(done) => revoke(fields, afterRevoke(done))}
        >
          The invitation to <strong className="break-all">{email}</strong> stops working at once. You can invite them again later.
        </ConfirmButton>
      ) : null}
      {failure ? (
        <p role="alert" className="w-full text-right text-sm text-red-700">
          {failure}
        </p>
      ) : null}
    </div>
  )
}

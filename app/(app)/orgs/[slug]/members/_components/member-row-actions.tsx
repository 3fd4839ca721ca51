'use client'

import { useId, useState } from 'react'
import { Button } from '@/components/ui/button'
import { buttonClass } from '@/components/ui/button-class'
import { ConfirmButton } from '@/components/ui/confirm-button'
import { useAnnouncedAction } from '@/components/ui/use-announced-action'
import { useModal } from '@/components/ui/use-modal'
import { EmailText } from '@/components/ui/email-text'
import { ORG_PERMISSIONS, type MemberCapabilities, type Verdict } from '@/lib/permissions'
import { leaveOrganizationAction, makeOwnerAction, removeMemberAction, updateMemberAccessAction } from '../actions'

export interface MemberRowProps {
  slug: string
  member: { userId: string; label: string; role: 'owner' | 'admin' | 'member'; permissions: string[] }
  isSelf: boolean
  /** The viewer's own row: whether they may leave, and why not (leaveVerdict, which the server enforces). */
  leave: Verdict
  /** memberCapabilities' verdict on this member, from the data layer: shown as is. */
  can: MemberCapabilities
  canGrantAdmin: boolean
  grantable: string[]
}

/** Edit permissions, remove, make owner, or (on one's own row) leave. Every rule is checked again on the server. */
export function MemberRowActions({ slug, member, isSelf, leave: leaveRight, can, canGrantAdmin, grantable }: MemberRowProps) {
  const [isSaving, save] = useAnnouncedAction(updateMemberAccessAction)
  const [isRemoving, remove] = useAnnouncedAction(removeMemberAction)
  const [isPromoting, promote] = useAnnouncedAction(makeOwnerAction)
  const [isLeaving, leave] = useAnnouncedAction(leaveOrganizationAction)
  const editor = useModal()
  const titleId = useId()
  // An owner's nearest role in the dialog is admin. Reset on every open: the row's role may have
  // changed since the first render (Make owner refreshes the page, not this state).
  const roleNow = member.role === 'member' ? 'member' : 'admin'
  const [role, setRole] = useState<'admin' | 'member'>(roleNow)
  const [error, setError] = useState<string | null>(null)
  const target = { slug, userId: member.userId }

  if (isSelf && !leaveRight.ok) {
    return (
      <div className="flex flex-col items-start gap-1 sm:items-end">
        <button type="button" disabled aria-describedby={`${titleId}-leave`} className={buttonClass('secondary')}>
          Leave organization
        </button>
        <p id={`${titleId}-leave`} className="max-w-xs text-xs text-slate-600 sm:text-right">
          {leaveRight.reason}
        </p>
      </div>
    )
  }

  if (isSelf) {
    return (
      <div className="flex sm:justify-end">
        <ConfirmButton
          label="Leave organization"
          title="Leave this organization?"
          confirmLabel="Leave"
          pendingLabel="Leaving…"
          isPending={isLeaving}
          onConfirm={(close) => leave({ slug }, close)}
        >
          You lose access to its projects at once. To come back, someone has to invite you again.
        </ConfirmButton>
      </div>
    )
  }

  function submitEdit(formData: FormData) {
    setError(null)
    save({ ...target, role, permissions: formData.getAll('permissions[]').map(String) }, (result) => {
      if (result.status === 'success') editor.close()
      else setError(result.message ?? 'Not saved.')
    })
  }

  return (
    <div className="flex flex-wrap gap-2 sm:justify-end">
      {can.edit ? (
        <>
          <Button
            variant="secondary"
            onClick={() => {
              setRole(roleNow)
              editor.open()
            }}
            aria-haspopup="dialog"
            aria-label={`Edit permissions of ${member.label}`}
          >
            Edit
          </Button>
          {editor.isOpen ? (
          <dialog {...editor.dialogProps} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg p-0 text-left shadow-xl">
            <form action={submitEdit} className="space-y-4 p-6">
              <h2 id={titleId} className="text-lg font-semibold">
                Edit permissions of {member.label}
              </h2>
              <fieldset>
                <legend className="text-sm font-medium">Role</legend>
                <div className="mt-1 flex gap-6">
                  {(['member', 'admin'] as const).map((r) => (
                    <label key={r} className={`flex items-center gap-2 text-sm ${r === 'admin' && !canGrantAdmin ? 'text-slate-500' : ''}`}>
                      <input type="radio" name="role" value={r} checked={role === r} disabled={r === 'admin' && !canGrantAdmin} onChange={() => setRole(r)} />
                      {r === 'admin' ? 'Admin' : 'Member'}
                    </label>
                  ))}
                </div>
              </fieldset>
              <fieldset disabled={role === 'admin'}>
                <legend className="text-sm font-medium">Permissions</legend>
                <ul className="mt-1 space-y-1">
                  {ORG_PERMISSIONS.map((p) => (
                    <li key={p.key}>
                      <label className={`flex items-center gap-2 text-sm ${grantable.includes(p.key) ? '' : 'text-slate-500'}`}>
                        <input
                          type="checkbox"
                          name="permissions[]"
                          value={p.key}
                          defaultChecked={member.permissions.includes(p.key)}
                          disabled={!grantable.includes(p.key)}
                        />
                        {p.label}
                      </label>
                    </li>
                  ))}
                </ul>
                {role === 'admin' ? <p className="mt-1 text-sm text-slate-600">Admins hold every permission.</p> : null}
              </fieldset>
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
                  {isSaving ? 'Saving…' : 'Save changes'}
                </Button>
              </div>
            </form>
          </dialog>
          ) : null}
        </>
      ) : null}
      {can.makeOwner ? (
        <ConfirmButton
          label="Make owner"
          // The name starts with the visible words (WCAG 2.5.3, axe label-content-name-mismatch).
          ariaLabel={`Make owner: ${member.label}`}
          title="Make this member an owner?"
          confirmLabel="Make owner"
          pendingLabel="Saving…"
          isPending={isPromoting}
          onConfirm={(close) => promote(target, close)}
        >
          <strong>
            <EmailText email={member.label} />
          </strong>{' '}
          will hold every right, including renaming and deleting the organization and making other owners.
        </ConfirmButton>
      ) : null}
      {can.remove ? (
        <ConfirmButton
          label="Remove"
          ariaLabel={`Remove ${member.label}`}
          title="Remove this member?"
          confirmLabel="Remove member"
          pendingLabel="Removing…"
          isPending={isRemoving}
          onConfirm={(close) => remove(target, close)}
        >
          <strong>
            <EmailText email={member.label} />
          </strong>{' '}
          loses access to the organization and its projects at once.
        </ConfirmButton>
      ) : null}
    </div>
  )
}

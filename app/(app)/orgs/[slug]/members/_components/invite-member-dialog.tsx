'use client'

import { useRouter } from 'next/navigation'
import { useActionState, useId, useRef, useState, useTransition } from 'react'
import { Button, SubmitButton } from '@/components/ui/button'
import { useToast } from '@/components/ui/toaster'
import { idleState, type ActionState } from '@/lib/actions/state'
import { permissionLabel } from '@/lib/permissions'
import { inviteMembersAction, previousAccessAction, type InviteResultRow } from '../actions'
import { AccessFields, type AccessValue, type GrantableProject } from './access-fields'

const outcomeText: Record<InviteResultRow['outcome'], string> = {
  invited: 'invited',
  already_member: 'already a member',
  already_invited: 'already invited: use Resend in Pending invitations',
  lookalike: 'not sent: looks like a member’s address; check it',
  not_invited: 'not invited',
  invalid: 'not a valid email address',
  rate_limited: 'not sent: the daily invitation limit was reached, try again tomorrow',
  seat_limit: 'not sent: the organization has no free seats',
}

const emptyAccess: AccessValue = { role: 'member', permissions: [], projects: {} }

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
  const router = useRouter()
  const [access, setAccess] = useState<AccessValue>(emptyAccess)
  const [emails, setEmails] = useState('')
  const [previous, setPrevious] = useState<{ email: string; role: 'admin' | 'member'; permissions: string[] } | null>(null)
  const [state, action] = useActionState(async (previousState: ActionState<InviteResultRow[]>, formData: FormData) => {
    const result = await inviteMembersAction(previousState, formData)
    if (result.status === 'success') {
      if (result.message) toast(result.message)
      setEmails('')
      setPrevious(null)
      router.refresh()
    }
    return result
  }, idleState as ActionState<InviteResultRow[]>)
  const [, startLookup] = useTransition()
  const id = useId()

  // A single former member typed in: offer what they held before.
  function lookUpPrevious() {
    const single = emails.trim()
    if (!single || /[\s,;]/.test(single)) return setPrevious(null)
    startLookup(async () => {
      const form = new FormData()
      form.set('slug', slug)
      form.set('email', single)
      const result = await previousAccessAction(idleState as ActionState<never>, form)
      const data = result.data as { role: 'admin' | 'member'; permissions: string[] } | null | undefined
      setPrevious(data ? { email: single, ...data } : null)
    })
  }

  return (
    <>
      <Button onClick={() => dialog.current?.showModal()} aria-haspopup="dialog">
        Invite Member
      </Button>
      <dialog ref={dialog} aria-labelledby={`${id}-title`} className="m-auto w-full max-w-xl rounded-lg p-0 shadow-xl">
        <form action={action} noValidate className="max-h-[85vh] space-y-5 overflow-y-auto p-6">
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
              value={emails}
              onChange={(e) => setEmails(e.target.value)}
              onBlur={lookUpPrevious}
              aria-invalid={state.fieldErrors?.emails ? true : undefined}
              aria-describedby={`${id}-emails-hint${state.fieldErrors?.emails ? ` ${id}-emails-error` : ''}`}
              className="mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 aria-[invalid=true]:border-red-700"
            />
            {state.fieldErrors?.emails ? (
              <p id={`${id}-emails-error`} className="mt-1 text-sm text-red-700">
                {state.fieldErrors.emails.join(' ')}
              </p>
            ) : null}
            {previous && previous.email === emails.trim() ? (
              <div className="mt-2 flex flex-wrap items-center gap-2 rounded-md bg-indigo-50 p-2 text-sm text-slate-800">
                <span>
                  {previous.email} was a member before, as {previous.role === 'admin' ? 'admin' : `member (${previous.permissions.map(permissionLabel).join(', ') || 'no permissions'})`}.
                </span>
                <Button
                  variant="secondary"
                  onClick={() =>
                    setAccess((a) => ({
                      ...a,
                      role: previous.role === 'admin' && canInviteAdmin ? 'admin' : 'member',
                      permissions: previous.permissions.filter((p) => grantable.includes(p)),
                    }))
                  }
                >
                  Use previous permissions
                </Button>
              </div>
            ) : null}
          </div>
          <AccessFields value={access} onChange={setAccess} grantable={grantable} canGrantAdmin={canInviteAdmin} projects={projects} errors={state.fieldErrors} />
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
                    <span className="break-all font-medium">{row.email}</span>: {row.lookalikeOf ? `not sent: looks like ${row.lookalikeOf}; check it` : outcomeText[row.outcome]}
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

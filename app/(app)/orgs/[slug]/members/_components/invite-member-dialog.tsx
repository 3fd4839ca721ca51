'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useId, useRef, useState, useTransition } from 'react'
import { Button, SubmitButton } from '@/components/ui/button'
import { useToast } from '@/components/ui/toaster'
import { useFormAction } from '@/components/form/use-form-action'
import { callAction } from '@/components/ui/use-announced-action'
import { idleState, type ActionState } from '@/lib/actions/state'
import { permissionLabel } from '@/lib/permissions'
import { inviteMembersAction, previousAccessAction, type InviteResultRow } from '../actions'
import { AccessFields, type AccessValue, type GrantableProject } from './access-fields'

const outcomeText: Record<InviteResultRow['outcome'], string> = {
  invited: 'invited',
  already_member: 'already a member',
  already_invited: 'already invited: use Resend in Invitations',
  lookalike: 'not sent: looks like a member’s address; check it',
  not_invited: 'not invited',
  invalid: 'not a valid email address',
  rate_limited: 'not sent: the daily invitation limit was reached, try again tomorrow',
  seat_limit: 'not sent: the organization has no free seats',
}

/** What the dialog says of one address; a lookalike names the member's address it resembles. */
function resultText(row: InviteResultRow): string {
  return row.lookalikeOf ? `not sent: looks like ${row.lookalikeOf}; check it` : outcomeText[row.outcome]
}

const emptyAccess: AccessValue = { role: 'member', permissions: [], projects: {} }

interface InviteProps {
  slug: string
  grantable: string[]
  canInviteAdmin: boolean
  projects: GrantableProject[]
}

/**
 * Invite Member. Each opening renders a new form, so a reopened dialog starts clean, without the
 * last run's choices or results (issue 14). The dialog stays in the page while closed: its form
 * is a real server-action form, which the forged-post browser test takes from the page.
 */
export function InviteMemberDialog(props: InviteProps) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [opening, setOpening] = useState(0)
  const titleId = useId()
  function open() {
    setOpening((n) => n + 1)
    dialog.current?.showModal()
  }
  return (
    <>
      <Button onClick={open} aria-haspopup="dialog">
        Invite Member
      </Button>
      <dialog ref={dialog} aria-labelledby={titleId} className="m-auto w-full max-w-xl rounded-lg p-0 shadow-xl">
        <InviteForm key={opening} {...props} titleId={titleId} onClose={() => dialog.current?.close()} />
      </dialog>
    </>
  )
}

/** Addresses as typed, before the server merges duplicates: "5 entered, 4 distinct". */
const countEntered = (raw: string) => raw.split(/[\s,;]+/).filter(Boolean).length

function InviteForm({ slug, grantable, canInviteAdmin, projects, titleId, onClose }: InviteProps & { titleId: string; onClose: () => void }) {
  const toast = useToast()
  const router = useRouter()
  const [access, setAccess] = useState<AccessValue>(emptyAccess)
  const [emails, setEmails] = useState('')
  const [previous, setPrevious] = useState<{ email: string; role: 'admin' | 'member'; permissions: string[] } | null>(null)
  const [entered, setEntered] = useState(0)
  const [, startLookup] = useTransition()
  const id = useId()
  const field = useRef<HTMLTextAreaElement>(null)
  const summary = useRef<HTMLParagraphElement>(null)
  const [state, form] = useFormAction(inviteMembersAction, (result, formData) => {
    setEntered(countEntered(String(formData.get('emails') ?? '')))
    if (result.data) {
      // What was invited leaves the field; what was not stays, to correct or retry.
      setEmails(
        result.data
          .filter((row) => row.outcome !== 'invited')
          .map((row) => row.email)
          .join('\n'),
      )
      setPrevious(null)
    }
    if (result.status === 'success') {
      if (result.message) toast(result.message)
      router.refresh()
    }
  })

  const rejected = state.data?.filter((row) => row.outcome !== 'invited') ?? []
  const isFieldInvalid = Boolean(state.fieldErrors?.emails) || rejected.length > 0

  // The submit button was disabled while working, which dropped focus to the page body: move it
  // to the field when addresses are left to correct, else to the result.
  useEffect(() => {
    if (state.status === 'idle') return
    ;(isFieldInvalid ? field.current : summary.current)?.focus()
  }, [state, isFieldInvalid])

  // A single former member typed in: offer what they held before.
  function lookUpPrevious() {
    const single = emails.trim()
    if (!single || /[\s,;]/.test(single)) return setPrevious(null)
    startLookup(async () => {
      const fields = new FormData()
      fields.set('slug', slug)
      fields.set('email', single)
      const result = await callAction(previousAccessAction, idleState as ActionState<never>, fields)
      const data = result.data as { role: 'admin' | 'member'; permissions: string[] } | null | undefined
      setPrevious(data ? { email: single, ...data } : null)
    })
  }

  const describedBy = [`${id}-emails-hint`, isFieldInvalid ? `${id}-emails-error` : null].filter(Boolean).join(' ')
  const distinct = state.data?.length ?? 0
  return (
    <form {...form} noValidate className="max-h-[85vh] space-y-5 overflow-y-auto p-6">
      <h2 id={titleId} className="text-lg font-semibold">
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
          ref={field}
          id={`${id}-emails`}
          name="emails"
          rows={2}
          required
          value={emails}
          onChange={(e) => setEmails(e.target.value)}
          onBlur={lookUpPrevious}
          aria-invalid={isFieldInvalid || undefined}
          aria-describedby={describedBy}
          className="mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 aria-[invalid=true]:border-red-700"
        />
        {isFieldInvalid ? (
          <div id={`${id}-emails-error`} className="mt-1 text-sm text-red-700">
            {state.fieldErrors?.emails ? <p>{state.fieldErrors.emails.join(' ')}</p> : null}
            {rejected.length ? <p className="[overflow-wrap:anywhere]">Not invited, still in the field: {rejected.map((row) => `${row.email} (${resultText(row)})`).join('; ')}.</p> : null}
          </div>
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
        <p ref={summary} tabIndex={-1} role="alert" className="text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
      {state.data?.length ? (
        <div role="status">
          <p ref={summary} tabIndex={-1} className="text-sm font-medium">
            {state.message}
            {entered > distinct ? ` ${entered} entered, ${distinct} distinct (duplicates merged).` : null}
          </p>
          <ul className="mt-1 space-y-0.5 text-sm" aria-label="Invitation results">
            {state.data.map((row) => (
              <li key={row.email} className={row.outcome === 'invited' ? 'text-emerald-800' : 'text-amber-900'}>
                <span className="font-medium [overflow-wrap:anywhere]">{row.email}</span>: {resultText(row)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
        <SubmitButton pendingText="Inviting…">Invite</SubmitButton>
      </div>
    </form>
  )
}

'use client'

import { useRouter } from 'next/navigation'
import { useActionState, useEffect } from 'react'
import { TextField } from '@/components/form/text-field'
import { SubmitButton } from '@/components/ui/button'
import { useToast } from '@/components/ui/toaster'
import { idleState } from '@/lib/actions/state'
import { setSeatLimitAction } from '../actions'

/** Owners only: the most members plus pending invitations the organization may have. */
export function SeatLimitForm({ slug, limit, used }: { slug: string; limit: number | null; used: number }) {
  const [state, action] = useActionState(setSeatLimitAction, idleState)
  const toast = useToast()
  const router = useRouter()
  useEffect(() => {
    if (state.status !== 'success') return
    if (state.message) toast(state.message)
    router.refresh()
  }, [state, toast, router])
  return (
    <form action={action} noValidate className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4">
      <input type="hidden" name="slug" value={slug} />
      <TextField
        label="Seat limit"
        name="seatLimit"
        inputMode="numeric"
        hint={`${used} ${used === 1 ? 'seat' : 'seats'} used (members plus pending invitations). Leave empty for no limit.`}
        defaultValue={state.status === 'error' ? (state.values?.seatLimit ?? '') : (limit?.toString() ?? '')}
        key={`${limit}-${state.status}-${state.values?.seatLimit ?? ''}`}
        errors={state.fieldErrors?.seatLimit}
        className="w-64"
      />
      <SubmitButton variant="secondary" pendingText="Saving…">
        Save seat limit
      </SubmitButton>
      {state.status === 'error' && !state.fieldErrors ? (
        <p role="alert" className="w-full text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
    </form>
  )
}

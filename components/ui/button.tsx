'use client'

import { useSyncExternalStore } from 'react'
import { useFormStatus } from 'react-dom'
import { buttonClass, type ButtonVariant } from './button-class'


const subscribeNothing = () => () => {}

/** False in the server render and during hydration, true once the page's script runs. */
export function useIsHydrated(): boolean {
  return useSyncExternalStore(subscribeNothing, () => true, () => false)
}

/**
 * A button run by script: disabled until the page is hydrated, so an early
 * click is never silently lost (a form's submit button needs no script and
 * is not held back).
 */
export function Button({ variant = 'primary', className = '', disabled, ...props }: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant }) {
  const isHydrated = useIsHydrated()
  const isScripted = (props.type ?? 'button') === 'button'
  return <button type="button" className={buttonClass(variant, className)} disabled={disabled || (isScripted && !isHydrated)} {...props} />
}

/** A submit button that says it is working while its form is pending. */
export function SubmitButton({
  children,
  pendingText,
  variant = 'primary',
  className = '',
  ...props
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { pendingText: string; variant?: ButtonVariant }) {
  const { pending } = useFormStatus()
  return (
    <button type="submit" className={buttonClass(variant, className)} disabled={pending || props.disabled} aria-disabled={pending || undefined} {...props}>
      {pending ? (
        <>
          <span aria-hidden="true" className="size-3.5 animate-spin rounded-full border-2 border-current border-t-transparent" />
          {pendingText}
        </>
      ) : (
        children
      )}
    </button>
  )
}

'use client'

import { useFormStatus } from 'react-dom'
import { buttonClass, type ButtonVariant } from './button-class'


export function Button({ variant = 'primary', className = '', ...props }: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant }) {
  return <button type="button" className={buttonClass(variant, className)} {...props} />
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

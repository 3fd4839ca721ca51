// Shared by server and client components (a 'use client' module cannot export a plain function to the server).
// The styles live in app/globals.css (.btn and .btn-<variant>): a table of 100 rows with three
// buttons each would otherwise repeat the same long utility list 300 times in every response.
export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost'

export function buttonClass(variant: ButtonVariant = 'primary', extra = '') {
  return extra ? `btn btn-${variant} ${extra}` : `btn btn-${variant}`
}

import { Fragment } from 'react'

/**
 * An email address that wraps after "@" and after dots first, and breaks inside a part only when
 * that part alone is wider than the line (issue 14: `break-all` cut addresses anywhere, mid-name).
 */
export function EmailText({ email, className = '' }: { email: string; className?: string }) {
  const parts = email.split(/(?<=[@.])/)
  return (
    <span className={`[overflow-wrap:anywhere] ${className}`}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </span>
  )
}

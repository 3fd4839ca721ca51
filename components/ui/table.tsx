/**
 * A bordered table with column headers; a hidden label still names its column. Cells are padded by
 * the table. Below the small breakpoint (issue 14) rows stack into "label: value" lines, so a phone
 * never scrolls sideways; from there up it is a table that scrolls inside its own box. The wrapper is
 * `relative` so the visually hidden headers are placed inside it, not past the page's right edge.
 */
export function Table({ columns, children, className = '' }: { columns: { label: string; isHidden?: boolean }[]; children: React.ReactNode; className?: string }) {
  return (
    <div className={`relative rounded-lg border border-slate-200 bg-white sm:overflow-x-auto ${className}`}>
      <table className="w-full text-left text-sm max-sm:block [&_td]:px-4 [&_td]:py-2 max-sm:[&_td]:block max-sm:[&_td]:py-0.5 max-sm:[&_tr]:block max-sm:[&_tr]:py-2">
        <thead className="bg-slate-50 text-slate-700 max-sm:sr-only">
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col" className="px-4 py-2 font-medium">
                {c.isHidden ? <span className="sr-only">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 max-sm:block">{children}</tbody>
      </table>
    </div>
  )
}

/**
 * A cell that shows its column's label in front of the value when rows are stacked (phones). The
 * label is hidden from assistive technology: the column header already names the cell.
 */
export function Cell({ label, className = '', children }: { label?: string; className?: string; children: React.ReactNode }) {
  return (
    <td className={className}>
      {label ? (
        <span aria-hidden="true" className="font-medium text-slate-600 sm:hidden">
          {label}:{' '}
        </span>
      ) : null}
      {children}
    </td>
  )
}

/** What an empty list says, and what to do next. */
export function EmptyState({ children, className = 'mt-4' }: { children: React.ReactNode; className?: string }) {
  return <div className={`rounded-lg border border-dashed border-slate-300 bg-white p-6 text-slate-700 ${className}`}>{children}</div>
}

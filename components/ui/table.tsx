/** A bordered, horizontally scrollable table with column headers; a hidden label still names its column. Cells are padded by the table. */
export function Table({ columns, children, className = '' }: { columns: { label: string; isHidden?: boolean }[]; children: React.ReactNode; className?: string }) {
  return (
    <div className={`overflow-x-auto rounded-lg border border-slate-200 bg-white ${className}`}>
      <table className="w-full text-left text-sm [&_td]:px-4 [&_td]:py-2">
        <thead className="bg-slate-50 text-slate-700">
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col" className="px-4 py-2 font-medium">
                {c.isHidden ? <span className="sr-only">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200">{children}</tbody>
      </table>
    </div>
  )
}

/** What an empty list says, and what to do next. */
export function EmptyState({ children, className = 'mt-4' }: { children: React.ReactNode; className?: string }) {
  return <div className={`rounded-lg border border-dashed border-slate-300 bg-white p-6 text-slate-700 ${className}`}>{children}</div>
}

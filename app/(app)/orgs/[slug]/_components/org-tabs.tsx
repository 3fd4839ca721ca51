'use client'

import Link from 'next/link'
import { usePathname } from 'next/navigation'

export function OrgTabs({ slug, showAudit }: { slug: string; showAudit: boolean }) {
  const pathname = usePathname()
  const tabs = [
    { href: `/orgs/${slug}`, label: 'Projects', isCurrent: pathname === `/orgs/${slug}` || pathname.startsWith(`/orgs/${slug}/projects`) },
    { href: `/orgs/${slug}/members`, label: 'Members', isCurrent: pathname.startsWith(`/orgs/${slug}/members`) },
    ...(showAudit ? [{ href: `/orgs/${slug}/audit`, label: 'Audit log', isCurrent: pathname.startsWith(`/orgs/${slug}/audit`) }] : []),
  ]
  return (
    <nav aria-label="Organization" className="mt-6 border-b border-slate-200">
      <ul className="flex gap-6">
        {tabs.map((tab) => (
          <li key={tab.href}>
            <Link
              href={tab.href}
              aria-current={tab.isCurrent ? 'page' : undefined}
              className={`-mb-px inline-block border-b-2 px-1 pb-2 text-sm font-medium ${tab.isCurrent ? 'border-indigo-700 text-indigo-800' : 'border-transparent text-slate-700 hover:text-slate-900'}`}
            >
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}

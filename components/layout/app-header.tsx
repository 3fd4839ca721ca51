import Link from 'next/link'
import type { CurrentUser } from '@/lib/auth/session'
import { AccountMenu } from './account-menu'

export function AppHeader({ user, children }: { user: CurrentUser; children?: React.ReactNode }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl items-center gap-4 px-4 py-3 sm:px-6">
        <Link href="/dashboard" className="font-semibold text-slate-900">
          Cloud Dashboard
        </Link>
        <div className="ml-auto flex items-center gap-2 sm:gap-3">
          {children}
          <AccountMenu email={user.email} />
        </div>
      </div>
    </header>
  )
}

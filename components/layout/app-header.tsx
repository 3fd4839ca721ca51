import Link from 'next/link'
import type { CurrentUser } from '@/lib/auth/session'
import { signOutAction } from '@/app/actions'
import { SubmitButton } from '@/components/ui/button'

export function AppHeader({ user, children }: { user: CurrentUser; children?: React.ReactNode }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl items-center gap-4 px-6 py-3">
        <Link href="/dashboard" className="font-semibold text-slate-900">
          Cloud Dashboard
        </Link>
        <div className="ml-auto flex items-center gap-3">
          {children}
          <span className="hidden text-sm text-slate-700 sm:inline" title="Signed in as">
            {user.email}
          </span>
          <form action={signOutAction}>
            <SubmitButton variant="secondary" pendingText="Signing out…">
              Sign out
            </SubmitButton>
          </form>
        </div>
      </div>
    </header>
  )
}

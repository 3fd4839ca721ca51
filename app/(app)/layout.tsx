import { AppHeader } from '@/components/layout/app-header'
import { getCurrentUser } from '@/lib/auth/session'

// The header only: every page checks its own access (a layout is not a guard).
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser()
  return (
    <>
      {user ? <AppHeader user={user} /> : null}
      <main id="main" className="mx-auto max-w-5xl px-6 py-8">
        {children}
      </main>
    </>
  )
}

import { AppHeader } from '@/components/layout/app-header'
import { Toaster } from '@/components/ui/toaster'
import { getCurrentUser } from '@/lib/auth/session'
import { NotificationBell } from './_components/notification-bell'
import { getOpenInvitations, inviterLabel } from './_lib/open-invitations'

// The header only: every page checks its own access (a layout is not a guard).
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser()
  const open = user ? await getOpenInvitations(user.id) : null
  return (
    <Toaster>
      {user && open ? (
        <AppHeader user={user}>
          <NotificationBell
            total={open.total}
            invitations={open.items.map((inv) => ({ id: inv.id, orgName: inv.organization.name, inviter: inviterLabel(inv.inviter) }))}
          />
        </AppHeader>
      ) : null}
      <main id="main" className="mx-auto max-w-5xl px-6 py-8">
        {children}
      </main>
    </Toaster>
  )
}

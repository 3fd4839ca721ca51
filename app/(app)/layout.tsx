import { AppHeader } from '@/components/layout/app-header'
import { Toaster } from '@/components/ui/toaster'
import { getCurrentUser } from '@/lib/auth/session'
import { NotificationBell } from './_components/notification-bell'
import { getDb } from '@/db/client'
import { listNotifications } from '@/lib/data/notifications'
import { formatDate } from '@/lib/format'
import { getOpenInvitations, inviterLabel } from './_lib/open-invitations'

// The header only: every page checks its own access (a layout is not a guard).
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser()
  const [open, updates] = user ? await Promise.all([getOpenInvitations(user.id), listNotifications(getDb(), { userId: user.id })]) : [null, null]
  return (
    <Toaster>
      {user && open && updates ? (
        <AppHeader user={user}>
          <NotificationBell
            total={open.total}
            invitations={open.items.map((inv) => ({ id: inv.id, orgName: inv.organization.name, inviter: inviterLabel(inv.inviter) }))}
            unread={updates.unread}
            notifications={updates.items.map((n) => ({
              id: n.id,
              isRead: n.isRead,
              when: formatDate(n.createdAt),
              text: `${n.email} ${n.kind === 'invitation.accepted' ? 'accepted' : 'declined'} your invitation to ${n.orgName}.`,
            }))}
          />
        </AppHeader>
      ) : null}
      <main id="main" className="mx-auto max-w-5xl px-6 py-8">
        {children}
      </main>
    </Toaster>
  )
}

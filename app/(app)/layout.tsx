import { AppHeader } from '@/components/layout/app-header'
import { Toaster } from '@/components/ui/toaster'
import { getViewer } from '@/lib/auth/session'
import { NotificationBell } from './_components/notification-bell'
import { formatDate } from '@/lib/format'
import { inviterLabel } from './_lib/open-invitations'

// The header only: every page checks its own access (a layout is not a guard).
export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const viewer = await getViewer()
  return (
    <Toaster>
      {viewer ? (
        <AppHeader user={viewer.user}>
          <NotificationBell
            total={viewer.open.total}
            invitations={viewer.open.items.map((inv) => ({ id: inv.id, orgName: inv.organization.name, inviter: inviterLabel(inv.inviter), inviterCanGrant: inv.inviterCanGrant }))}
            unread={viewer.updates.unread}
            notifications={viewer.updates.items.map((n) => ({
              id: n.id,
              isRead: n.isRead,
              when: formatDate(n.createdAt),
              text: `${n.email} ${n.kind === 'invitation.accepted' ? 'accepted' : 'declined'} your invitation to ${n.orgName}.`,
            }))}
          />
        </AppHeader>
      ) : null}
      <main id="main" className="mx-auto max-w-5xl px-4 py-8 sm:px-6">
        {children}
      </main>
    </Toaster>
  )
}

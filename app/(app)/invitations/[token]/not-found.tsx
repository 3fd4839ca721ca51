import { MessagePage } from '@/components/layout/message-page'

// One page for every unknown or malformed token, so guessing learns nothing.
export default function InvitationNotFound() {
  return (
    <MessagePage
      title="This invitation link is not valid"
      body="The link may be incomplete, or the invitation was replaced by a newer one. Check the latest email, or ask for a new invitation."
      link={{ href: '/dashboard', label: 'Go to the Dashboard' }}
      isMain={false}
    />
  )
}

import { MessagePage } from '@/components/layout/message-page'

export default function NotFound() {
  return (
    <MessagePage
      title="Page not found"
      body="There is nothing here, or you do not have access to it."
      link={{ href: '/dashboard', label: 'Go to the Dashboard' }}
    />
  )
}

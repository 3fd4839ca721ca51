import type { Metadata } from 'next'
import './globals.css'

// Every page depends on the session and the database: render per request, never at build.
export const dynamic = 'force-dynamic'

export const metadata: Metadata = {
  title: { default: 'Cloud Dashboard', template: '%s · Cloud Dashboard' },
  description: 'Organizations, projects and invitations.',
}

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
          Skip to content
        </a>
        {children}
      </body>
    </html>
  )
}

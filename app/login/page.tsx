import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { getCurrentUser } from '@/lib/auth/session'
import { safeCallbackUrl } from '@/lib/auth/callback-url'
import { getEnv } from '@/lib/env'
import { SignInForm } from './_components/sign-in-form'

export const metadata: Metadata = { title: 'Sign in' }

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams
  const callbackUrl = safeCallbackUrl(params.callbackUrl, getEnv().APP_URL)
  if (await getCurrentUser()) redirect(callbackUrl)
  const email = typeof params.email === 'string' ? params.email.slice(0, 254) : undefined
  return (
    <main id="main" className="mx-auto max-w-sm px-6 py-20">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <p className="mt-2 text-slate-700">We will email you a link that signs you in. No password needed.</p>
      <div className="mt-8 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <SignInForm callbackUrl={callbackUrl} email={email} />
      </div>
    </main>
  )
}

import { getCurrentUser } from '@/lib/auth/session'
import { requireOrgMember } from '@/lib/auth/org-context'
import { OrgTabs } from './_components/org-tabs'

export default async function OrganizationLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params
  // Signed out: the page itself redirects to sign in, with its own path to come back to.
  if (!(await getCurrentUser())) return children
  const { org, membership } = await requireOrgMember(slug, `/orgs/${slug}`)
  return (
    <>
      <p className="text-sm text-slate-600">Organization</p>
      <h1 className="text-2xl font-semibold break-words">{org.name}</h1>
      <OrgTabs slug={org.slug} showAudit={membership.role !== 'member'} />
      <div className="mt-6">{children}</div>
    </>
  )
}

import type { Metadata } from 'next'
import { requireOrgMember } from '@/lib/auth/org-context'

export const metadata: Metadata = { title: 'Members' }

export default async function MembersTab({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params
  await requireOrgMember(slug, `/orgs/${slug}/members`)
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading" className="text-lg font-semibold">
        Members
      </h2>
    </section>
  )
}

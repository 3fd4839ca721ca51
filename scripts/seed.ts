// `npm run db:seed`: a demo organization with a few users, on the configured database.
import { eq } from 'drizzle-orm'
import { openAppDb } from './lib/app-db'
import { runMigrations } from '@/db/migrate'
import { memberships, organizations, projectMembers, projects, users } from '@/db/schema'

const handle = openAppDb()
await runMigrations(handle)
const db = handle.db

const people = [
  { email: 'owner@example.com', name: 'Olivia Owner', role: 'owner' as const, permissions: [] },
  { email: 'admin@example.com', name: 'Adam Admin', role: 'admin' as const, permissions: [] },
  { email: 'member@example.com', name: 'Mia Member', role: 'member' as const, permissions: ['members:read'] },
]

const [existing] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, 'demo'))
if (existing) {
  console.log('The demo organization already exists: nothing to do.')
} else {
  await db.transaction(async (tx) => {
    const [org] = await tx.insert(organizations).values({ name: 'Demo Organization', slug: 'demo' }).returning({ id: organizations.id })
    for (const person of people) {
      const [user] = await tx
        .insert(users)
        .values({ email: person.email, name: person.name, emailVerified: new Date() })
        .onConflictDoUpdate({ target: users.email, set: { name: person.name } })
        .returning({ id: users.id })
      await tx.insert(memberships).values({ organizationId: org.id, userId: user.id, role: person.role, permissions: person.permissions })
      if (person.role === 'owner') {
        const [project] = await tx.insert(projects).values({ organizationId: org.id, name: 'Website', createdBy: user.id }).returning({ id: projects.id })
        await tx.insert(projectMembers).values({ projectId: project.id, organizationId: org.id, userId: user.id, level: 'admin' })
      }
    }
  })
  console.log(`Seeded "Demo Organization" (/orgs/demo) with ${people.map((p) => p.email).join(', ')}. Sign in as any of them at /login.`)
}
await handle.close()

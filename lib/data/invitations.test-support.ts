// Shared set-up for the invitation tests (not a test file itself).
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { and, count, eq } from 'drizzle-orm'
import type { Db } from '@/db/client'
import {
  auditEvents,
  emailOutbox,
  invitationProjectGrants,
  invitations,
  memberships,
  organizations,
  projectMembers,
  projects,
  users,
} from '@/db/schema'
import type { ProjectLevel } from '@/lib/permissions'
import { createUser } from '@/test/factories'
import { countSeatsUsed, createOrganization } from './organizations'
import { createInvitations } from './invitations/create-invitations'

export const config = { appUrl: 'https://app.example.com', ttlDays: 7 }

export const uniqueEmail = (label = 'user') => `${label}-${randomBytes(4).toString('hex')}@example.com`

export async function addMember(db: Db, orgId: string, role: 'admin' | 'member', permissions: string[] = [], email = uniqueEmail(role)) {
  const user = await createUser(db, email)
  await db.insert(memberships).values({ organizationId: orgId, userId: user.id, role, permissions })
  return user
}

export async function addProject(db: Db, orgId: string, name = `Project ${randomBytes(2).toString('hex')}`) {
  const [project] = await db.insert(projects).values({ organizationId: orgId, name }).returning({ id: projects.id, name: projects.name })
  return project
}

export async function setProjectLevel(db: Db, orgId: string, projectId: string, userId: string, level: ProjectLevel) {
  await db
    .insert(projectMembers)
    .values({ organizationId: orgId, projectId, userId, level })
    .onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { level } })
}

/** An organization with its owner, an admin, an inviter (members:invite + members:read) and a plain member. */
export async function createWorld(db: Db, name = 'Acme') {
  const owner = await createUser(db, uniqueEmail('owner'))
  const org = await createOrganization(db, { name, userId: owner.id })
  const admin = await addMember(db, org.id, 'admin')
  const inviter = await addMember(db, org.id, 'member', ['members:invite', 'members:read'])
  const member = await addMember(db, org.id, 'member', [])
  return { owner, org, admin, inviter, member }
}

/** Row counts of every table an invitation function may write. */
export async function counts(db: Db) {
  const tables = { invitations, invitationProjectGrants, memberships, projectMembers, emailOutbox, auditEvents, users }
  const out: Record<string, number> = {}
  for (const [name, table] of Object.entries(tables)) {
    const [{ n }] = await db.select({ n: count() }).from(table)
    out[name] = n
  }
  return out
}

/** The token in the link of an outbox email. */
export async function tokenOfEmail(db: Db, emailId: string): Promise<string> {
  const [row] = await db.select({ text: emailOutbox.text, html: emailOutbox.html }).from(emailOutbox).where(eq(emailOutbox.id, emailId))
  const match = row.text.match(/\/invitations\/([A-Za-z0-9_-]{43})$/m)
  if (!match) throw new Error('no invitation link in the email')
  return match[1]
}

export async function invitationRow(db: Db, id: string) {
  const [row] = await db.select().from(invitations).where(eq(invitations.id, id))
  return row
}

export async function membershipOf(db: Db, orgId: string, userId: string) {
  const [row] = await db
    .select({ role: memberships.role, permissions: memberships.permissions })
    .from(memberships)
    .where(and(eq(memberships.organizationId, orgId), eq(memberships.userId, userId)))
  return row ?? null
}

export async function auditActions(db: Db, orgId: string, targetId?: string) {
  const rows = await db
    .select({ action: auditEvents.action })
    .from(auditEvents)
    .where(and(eq(auditEvents.organizationId, orgId), targetId ? eq(auditEvents.targetId, targetId) : undefined))
    .orderBy(auditEvents.createdAt)
  return rows.map((r) => r.action)
}

/** The organization's seat limit (null: unlimited) and the seats in use, read directly (no caller: tests only). */
export async function getSeatUsage(db: Db, { orgId, now }: { orgId: string; now?: Date }): Promise<{ limit: number | null; used: number }> {
  const [org] = await db.select({ seatLimit: organizations.seatLimit }).from(organizations).where(eq(organizations.id, orgId))
  if (!org) return { limit: null, used: 0 }
  return { limit: org.seatLimit, used: await countSeatsUsed(db, orgId, now) }
}

export type InviteOptions = {
  actorId?: string
  role?: 'admin' | 'member'
  permissions?: string[]
  projectGrants?: { projectId: string; level: 'view' | 'edit' | 'admin' }[]
  now?: Date
}

/** Invites one address (as the owner unless told otherwise) and returns the invitation id, its token and its email. */
export async function inviteOne(db: Db, w: Awaited<ReturnType<typeof createWorld>>, email: string, opts: InviteOptions = {}) {
  const r = await createInvitations(
    db,
    {
      orgId: w.org.id,
      actorId: opts.actorId ?? w.owner.id,
      emails: [email],
      role: opts.role ?? 'member',
      permissions: opts.permissions ?? [],
      projectGrants: opts.projectGrants ?? [],
    },
    { ...config, now: opts.now },
  )
  if (!r.ok) throw new Error(`invite refused: ${r.message}`)
  expect(r.results[0].outcome).toBe('invited')
  return { id: r.results[0].invitationId!, token: await tokenOfEmail(db, r.emailIds[0]), emailId: r.emailIds[0] }
}

/** Runs `fn` and asserts it wrote nothing anywhere. */
export async function expectNothingWrittenIn<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const before = await counts(db)
  const result = await fn()
  expect(await counts(db)).toEqual(before)
  return result
}

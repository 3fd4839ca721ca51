import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { invitationProjectGrants, projectMembers, projects } from '@/db/schema'
import { createTestDb, type TestDb } from '@/test/db'
import { createUser } from '@/test/factories'
import { createInvitations } from './invitations/create-invitations'
import { deleteProject } from './projects/delete-project'
import { getProject } from './projects/get-project'
import { listProjectMembers } from './projects/list-project-members'
import { renameProject } from './projects/rename-project'
import { setProjectAccess } from './projects/set-project-access'
import { addMember, addProject, config, createWorld, setProjectLevel, uniqueEmail } from './invitations.test-support'
import { auditOf, snapshot } from './members.test-support'

let t: TestDb
beforeAll(async () => {
  t = await createTestDb()
})
afterAll(async () => t.cleanup())

/** A world with one project, a project admin, a project editor and a holder of projects:manage_all. */
async function world() {
  const w = await createWorld(t.db)
  const project = await addProject(t.db, w.org.id, 'Apollo')
  const projectAdmin = await addMember(t.db, w.org.id, 'member')
  const editor = await addMember(t.db, w.org.id, 'member')
  const manager = await addMember(t.db, w.org.id, 'member', ['projects:manage_all'])
  await setProjectLevel(t.db, w.org.id, project.id, projectAdmin.id, 'admin')
  await setProjectLevel(t.db, w.org.id, project.id, editor.id, 'edit')
  return { ...w, project, projectAdmin, editor, manager }
}

async function levelOf(projectId: string, userId: string) {
  const rows = await t.db.select({ userId: projectMembers.userId, level: projectMembers.level }).from(projectMembers).where(eq(projectMembers.projectId, projectId))
  return rows.find((r) => r.userId === userId)?.level ?? null
}

async function expectRefusal<T extends { ok: boolean }>(run: () => Promise<T>, expected: Record<string, unknown>) {
  const before = await snapshot(t.db)
  const result = await run()
  expect(result).toMatchObject({ ok: false, ...expected })
  expect(await snapshot(t.db)).toEqual(before)
}

describe('getProject', () => {
  it('gives the caller’s level: its own, or admin for owners, admins and projects:manage_all', async () => {
    const w = await world()
    const get = (actorId: string) => getProject(t.db, { orgId: w.org.id, actorId, projectId: w.project.id })
    expect(await get(w.editor.id)).toMatchObject({ id: w.project.id, name: 'Apollo', myLevel: 'edit' })
    for (const id of [w.owner.id, w.admin.id, w.manager.id, w.projectAdmin.id]) expect((await get(id))?.myLevel).toBe('admin')
  })

  it('is null for a member without access, a stranger, another organization and a malformed id', async () => {
    const w = await world()
    const other = await world()
    expect(await getProject(t.db, { orgId: w.org.id, actorId: w.member.id, projectId: w.project.id })).toBeNull()
    expect(await getProject(t.db, { orgId: w.org.id, actorId: (await createUser(t.db)).id, projectId: w.project.id })).toBeNull()
    expect(await getProject(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: other.project.id })).toBeNull()
    expect(await getProject(t.db, { orgId: other.org.id, actorId: w.owner.id, projectId: other.project.id })).toBeNull()
    expect(await getProject(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: 'nope' })).toBeNull()
  })
})

describe('listProjectMembers', () => {
  it('pages through the project’s members once each, newest grant first', async () => {
    const w = await world()
    for (let i = 0; i < 4; i++) {
      const u = await addMember(t.db, w.org.id, 'member')
      await setProjectLevel(t.db, w.org.id, w.project.id, u.id, 'view')
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: Awaited<ReturnType<typeof listProjectMembers>> = await listProjectMembers(t.db, { orgId: w.org.id, actorId: w.editor.id, projectId: w.project.id, limit: 2, cursor })
      expect(page).not.toBeNull()
      seen.push(...page!.items.map((m) => m.userId))
      cursor = page!.nextCursor
    } while (cursor)
    expect(seen).toHaveLength(6)
    expect(new Set(seen).size).toBe(6)
    // Newest grant first; grants made within one millisecond tie on created_at and go by user id.
    const grants = await t.db.select({ userId: projectMembers.userId, createdAt: projectMembers.createdAt }).from(projectMembers).where(eq(projectMembers.projectId, w.project.id))
    const newestFirst = grants.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.userId < b.userId ? 1 : -1)).map((g) => g.userId)
    expect(seen).toEqual(newestFirst)
  })

  it('is null for whoever cannot see the project', async () => {
    const w = await world()
    const other = await world()
    expect(await listProjectMembers(t.db, { orgId: w.org.id, actorId: w.member.id, projectId: w.project.id })).toBeNull()
    expect(await listProjectMembers(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: other.project.id })).toBeNull()
  })
})

describe('setProjectAccess', () => {
  it('lets a project admin grant, change and remove access, with audit events', async () => {
    const w = await world()
    const set = (level: 'view' | 'edit' | 'admin' | null) =>
      setProjectAccess(t.db, { orgId: w.org.id, actorId: w.projectAdmin.id, projectId: w.project.id, userId: w.member.id, level })
    expect(await set('view')).toEqual({ ok: true })
    expect(await levelOf(w.project.id, w.member.id)).toBe('view')
    expect(await set('admin')).toEqual({ ok: true })
    expect(await levelOf(w.project.id, w.member.id)).toBe('admin')
    expect(await set(null)).toEqual({ ok: true })
    expect(await levelOf(w.project.id, w.member.id)).toBeNull()
    const granted = await auditOf(t.db, w.org.id, 'project.access_granted')
    expect(granted.map((e) => e.data)).toEqual([
      expect.objectContaining({ userId: w.member.id, level: 'view', before: null }),
      expect.objectContaining({ userId: w.member.id, level: 'admin', before: 'view' }),
    ])
    expect(await auditOf(t.db, w.org.id, 'project.access_removed')).toMatchObject([{ targetId: w.project.id, data: { userId: w.member.id, before: 'admin' } }])
  })

  it('lets holders of projects:manage_all, admins and owners manage access without a project level', async () => {
    const w = await world()
    for (const [actorId, level] of [[w.manager.id, 'edit'], [w.admin.id, 'view'], [w.owner.id, 'admin']] as const) {
      expect(await setProjectAccess(t.db, { orgId: w.org.id, actorId, projectId: w.project.id, userId: w.member.id, level })).toEqual({ ok: true })
      expect(await levelOf(w.project.id, w.member.id)).toBe(level)
    }
  })

  it('refuses an editor (forbidden), a member without access and strangers (not found)', async () => {
    const w = await world()
    const args = { orgId: w.org.id, projectId: w.project.id, userId: w.member.id, level: 'view' as const }
    await expectRefusal(() => setProjectAccess(t.db, { ...args, actorId: w.editor.id }), { error: 'forbidden' })
    await expectRefusal(() => setProjectAccess(t.db, { ...args, actorId: w.inviter.id }), { error: 'not_found' })
    const other = await world()
    await expectRefusal(() => setProjectAccess(t.db, { ...args, actorId: other.owner.id }), { error: 'not_found' })
    // Another organization's project through this organization's id.
    await expectRefusal(() => setProjectAccess(t.db, { ...args, actorId: w.owner.id, projectId: other.project.id }), { error: 'not_found' })
  })

  it('refuses someone who is not a member of the organization', async () => {
    const w = await world()
    const other = await world()
    const outsider = await createUser(t.db, uniqueEmail('outsider'))
    for (const userId of [outsider.id, other.member.id, 'not-a-uuid']) {
      await expectRefusal(() => setProjectAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: w.project.id, userId, level: 'view' }), { error: 'not_member' })
    }
  })

  it('refuses an unknown level (bad input)', async () => {
    const w = await world()
    await expectRefusal(
      () => setProjectAccess(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: w.project.id, userId: w.member.id, level: 'root' as 'admin' }),
      { error: 'escalation' },
    )
  })
})

describe('renameProject and deleteProject', () => {
  it('lets a project admin rename, trimming the name, with an audit event', async () => {
    const w = await world()
    expect(await renameProject(t.db, { orgId: w.org.id, actorId: w.projectAdmin.id, projectId: w.project.id, name: '  Artemis   II ' })).toEqual({ ok: true })
    expect((await getProject(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: w.project.id }))?.name).toBe('Artemis II')
    expect(await auditOf(t.db, w.org.id, 'project.renamed')).toMatchObject([{ actorId: w.projectAdmin.id, data: { before: 'Apollo', name: 'Artemis II' } }])
  })

  it('refuses renaming by an editor, a stranger, through another organization, and a bad name', async () => {
    const w = await world()
    const other = await world()
    await expectRefusal(() => renameProject(t.db, { orgId: w.org.id, actorId: w.editor.id, projectId: w.project.id, name: 'X' }), { error: 'forbidden' })
    await expectRefusal(() => renameProject(t.db, { orgId: w.org.id, actorId: w.member.id, projectId: w.project.id, name: 'X' }), { error: 'not_found' })
    await expectRefusal(() => renameProject(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: other.project.id, name: 'X' }), { error: 'not_found' })
    for (const name of ['', '   ', 'a'.repeat(81), 'bad\u0007name']) {
      await expectRefusal(() => renameProject(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: w.project.id, name }), { error: 'invalid', field: 'name' })
    }
  })

  it('lets a project admin delete a project with its access and invitation grants', async () => {
    const w = await world()
    const invited = await createInvitations(
      t.db,
      { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail('grant')], role: 'member', permissions: [], projectGrants: [{ projectId: w.project.id, level: 'view' }] },
      config,
    )
    expect(invited.ok).toBe(true)
    expect(await deleteProject(t.db, { orgId: w.org.id, actorId: w.projectAdmin.id, projectId: w.project.id })).toEqual({ ok: true })
    expect(await t.db.select().from(projects).where(eq(projects.id, w.project.id))).toEqual([])
    expect(await t.db.select().from(projectMembers).where(eq(projectMembers.projectId, w.project.id))).toEqual([])
    expect(await t.db.select().from(invitationProjectGrants).where(eq(invitationProjectGrants.projectId, w.project.id))).toEqual([])
    expect(await auditOf(t.db, w.org.id, 'project.deleted')).toMatchObject([{ targetId: w.project.id, data: { name: 'Apollo' } }])
  })

  it('refuses deleting by an editor, a member without access and through another organization', async () => {
    const w = await world()
    const other = await world()
    await expectRefusal(() => deleteProject(t.db, { orgId: w.org.id, actorId: w.editor.id, projectId: w.project.id }), { error: 'forbidden' })
    await expectRefusal(() => deleteProject(t.db, { orgId: w.org.id, actorId: w.member.id, projectId: w.project.id }), { error: 'not_found' })
    await expectRefusal(() => deleteProject(t.db, { orgId: w.org.id, actorId: w.owner.id, projectId: other.project.id }), { error: 'not_found' })
    await expectRefusal(() => deleteProject(t.db, { orgId: other.org.id, actorId: w.owner.id, projectId: other.project.id }), { error: 'not_found' })
  })
})

// Issue 5, item 6: property-based fuzzing of every server action's input (fast-check, 1,000 cases
// per action): each action as app/**/actions.ts composes it (its schema through runAction, then
// the data function), with hostile forms: very long strings, unicode (lone surrogates included),
// control characters, CR/LF, repeated and `[]` keys where one string is expected, files where text
// is expected, missing and extra fields, keys that name Object.prototype members; and every kind of
// caller. The answer must always be a returned ActionState, never a throw (a 5xx); an error state
// must have written nothing: when the input fails validation (or the caller is signed out) not a
// single query runs, and otherwise a checksum of every table is the same before and after.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { memberships } from '@/db/schema'
import { queryCounter } from '@/db/client'
import { formToObject } from '@/lib/actions/run-action'
import type { ActionState } from '@/lib/actions/state'
import { consumeSignInBudget } from '@/lib/data/consume-sign-in-budget'
import { ALL_PERMISSIONS } from '@/lib/permissions'
import { isValidEmail } from '@/lib/validations/common'
import { signInSchema } from '@/lib/validations/auth'
import { invitationIdSchema, inviteSchema, isWellFormedToken, respondSchema } from '@/lib/validations/invitation'
import { previousAccessSchema, updateInvitationSchema } from '@/lib/validations/invitation-edit'
import { leaveOrganizationSchema, memberAccessSchema, memberTargetSchema, seatLimitSchema } from '@/lib/validations/member'
import { createOrganizationSchema } from '@/lib/validations/organization'
import { createProjectSchema } from '@/lib/validations/project'
import { projectAccessSchema, projectRefSchema, renameProjectSchema } from '@/lib/validations/project-access'
import { createInvitations } from '@/lib/data/invitations/create-invitations'
import { addProject, setProjectLevel } from '@/lib/data/invitations.test-support'
import { removeMember } from '@/lib/data/members/remove-member'
import { createTestDb, type TestDb } from '@/test/db'
import {
  actions,
  addMemberTo,
  addNotification,
  config,
  grantByEmailSchema,
  markReadSchema,
  rowsOf,
  CALLER_KINDS,
  callerId,
  createSecurityWorld,
  isActionState,
  snapshot,
  uniqueEmail,
  userGetter,
  type CallerKind,
  type GetUser,
  type SecurityWorld,
} from './fixtures'

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000)

let t: TestDb
let w: SecurityWorld
let act: ReturnType<typeof actions>
const getters = new Map<CallerKind, GetUser>()

/**
 * What the member-management and project fuzzing may change, remove or delete, so that the callers
 * stay the kind they are: a member and an admin to edit, remove or promote; a project on which the
 * member without permissions is admin, and one to delete; a pending invitation to edit; a former
 * member whose previous access can be offered.
 */
let targets: {
  member: { id: string; email: string }
  admin: { id: string; email: string }
  project: { id: string; name: string }
  doomed: { id: string; name: string }
  invitationId: string
  formerEmail: string
}

beforeAll(async () => {
  t = await createTestDb()
  w = await createSecurityWorld(t.db)
  // A cooldown of 0 lets a fuzzed resend of a real invitation get through to the write.
  act = actions(t.db, { appUrl: 'https://app.example.com', ttlDays: 7, cooldownMs: 0 })
  for (const kind of CALLER_KINDS) {
    const id = await callerId(t.db, w, kind, 'members:invite')
    getters.set(kind, userGetter(id ? { id, email: `${kind}@example.com` } : null))
  }
  // Give the member holding members:invite the other permissions a fuzzed invitation may offer.
  const inviterId = (await callerId(t.db, w, 'memberWith', 'members:invite'))!
  await t.db.update(memberships).set({ permissions: ALL_PERMISSIONS }).where(eq(memberships.userId, inviterId))

  const member = await addMemberTo(t.db, w.org.id, 'member', ['members:read'], 'fuzz-member')
  const admin = await addMemberTo(t.db, w.org.id, 'admin', [], 'fuzz-admin')
  const project = await addProject(t.db, w.org.id, 'Fuzz project')
  const doomed = await addProject(t.db, w.org.id, 'Fuzz doomed project')
  await setProjectLevel(t.db, w.org.id, project.id, w.memberWithout.id, 'admin')
  await setProjectLevel(t.db, w.org.id, project.id, member.id, 'edit')
  const inv = await createInvitations(
    t.db,
    { orgId: w.org.id, actorId: w.owner.id, emails: [uniqueEmail('fuzz-invitee')], role: 'member', permissions: ['members:read'], projectGrants: [{ projectId: project.id, level: 'view' }] },
    config,
  )
  if (!inv.ok) throw new Error('fuzz targets: invitation refused')
  const former = await addMemberTo(t.db, w.org.id, 'member', ['members:read', 'projects:create'], 'fuzz-former')
  if (!(await removeMember(t.db, { orgId: w.org.id, actorId: w.owner.id, userId: former.id })).ok) throw new Error('fuzz targets: removal refused')
  for (const kind of CALLER_KINDS) {
    const id = await callerId(t.db, w, kind, 'members:invite')
    if (id) await addNotification(t.db, { userId: id, orgId: kind === 'otherOrg' ? w.other.org.id : w.org.id })
  }
  targets = { member, admin, project, doomed, invitationId: inv.results[0].invitationId!, formerEmail: former.email }
}, 120_000)
afterAll(async () => t.cleanup())

// ---------------------------------------------------------------------------------------------
// Hostile values

const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 })
const controls = fc.string({ unit: fc.constantFrom('\u0000', '\r', '\n', '\t', '\u0007', '\u001b', '\u007f', '\u0085', '\u2028', '\u202e', '\ufeff', ' '), maxLength: 12 })
const crlf = fc.constantFrom('Acme\r\nBcc: victim@example.com', 'a@example.com\r\nb@example.com', 'x\ny', '\r\n', 'Content-Type: text/html\r\n\r\n<b>x</b>')
const long = fc.oneof(
  fc.integer({ min: 81, max: 5_000 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'é'.repeat(n)),
  fc.integer({ min: 2, max: 200 }).map((n) => Array.from({ length: n }, (_, i) => `u${i}@example.com`).join(',')),
)
const injection = fc.constantFrom("' or 1=1 --", '"; drop table users; --', '<script>alert(1)</script>', '../../etc/passwd', '%00', '${7*7}', '{{7*7}}', 'null', 'undefined', '[]', '{}')

/** Values that look right, so that part of the inputs passes validation and reaches the database. */
function plausible(world: SecurityWorld) {
  return fc.oneof(
    fc.constantFrom(world.org.slug, world.other.org.slug, 'no-such-org'),
    fc.constantFrom(world.pending.id, world.projects.hidden.id, '6f1c1d3e-8a7b-4c1d-9e2f-0a1b2c3d4e5f', world.pending.id.toUpperCase()),
    fc.constantFrom('admin', 'member', 'owner', 'Admin', 'stay', 'org'),
    fc.constantFrom(...ALL_PERMISSIONS, 'org:delete', 'members:*'),
    fc.constantFrom(`${world.projects.hidden.id}:admin`, `${world.projects.shared.id}:view`, `${world.other.project.id}:edit`, `${world.projects.hidden.id}:owner`),
    fc.emailAddress(),
    fc.tuple(fc.emailAddress(), fc.emailAddress()).map(([a, b]) => `${a}, ${b.toUpperCase()}`),
    fc.constantFrom('Acme Rockets', 'Ünïcödé Org 東京', '  spaced   name  '),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url')),
  )
}

const value = (world: SecurityWorld) =>
  fc.oneof(
    { weight: 6, arbitrary: plausible(world) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 2, arbitrary: utf16 },
    { weight: 2, arbitrary: controls },
    { weight: 1, arbitrary: crlf },
    { weight: 1, arbitrary: long },
    { weight: 1, arbitrary: injection },
    { weight: 1, arbitrary: fc.constant('') },
  )

const fileValue = fc.constantFrom<Blob>(new Blob(['x']), new File(['<b>'], 'evil.html', { type: 'text/html' }), new File([], ''))

/** Keys: the action's own (plain, repeated or with []), Next's internals, strangers, and names of Object.prototype members. */
function key(fields: string[]) {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...fields) },
    { weight: 2, arbitrary: fc.constantFrom(...fields.map((f) => `${f}[]`)) },
    { weight: 1, arbitrary: fc.constantFrom('$ACTION_ID_abc', '$ACTION_REF_1', 'token', 'extra', 'slug[0]', 'emails[][]', '') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__[]', 'constructor[]', 'toString[]') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  )
}

type Entry = [string, string | Blob]

/**
 * A form: either random entries, or a valid form for the action with some of its fields dropped,
 * repeated, replaced by hostile values or files, and extra fields added.
 */
function formArb(world: SecurityWorld, fields: string[], valid: (world: SecurityWorld) => fc.Arbitrary<Entry[]>) {
  const entry = fc.tuple(key(fields), fc.oneof({ weight: 12, arbitrary: value(world) }, { weight: 1, arbitrary: fileValue })) as fc.Arbitrary<Entry>
  const mutated = fc
    .tuple(valid(world), fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'repeat', 'replace', 'array', 'keep', 'keep', 'keep')), { maxLength: 3 }), fc.array(entry, { maxLength: 3 }))
    .map(([base, edits, extra]) => {
      let entries: Entry[] = [...base]
      for (const [at, edit] of edits) {
        if (entries.length === 0) break
        const i = at % entries.length
        const [k, v] = entries[i]
        if (edit === 'drop') entries = entries.filter((_, j) => j !== i)
        else if (edit === 'repeat') entries.push([k, v])
        else if (edit === 'array') entries[i] = [`${k}[]`, v]
        else if (edit === 'replace') entries[i] = [k, extra[0]?.[1] ?? '']
      }
      return [...entries, ...extra]
    })
  // Entries rather than a FormData, so that a counterexample prints what was sent.
  return fc.oneof({ weight: 1, arbitrary: fc.array(entry, { maxLength: 8 }) }, { weight: 3, arbitrary: mutated })
}

function toForm(entries: Entry[]): FormData {
  const fd = new FormData()
  for (const [k, v] of entries) fd.append(k, v)
  return fd
}

const callerArb = fc.constantFrom(...CALLER_KINDS)

// ---------------------------------------------------------------------------------------------
// The property

interface Target {
  name: string
  fields: string[]
  schema: { safeParse: (v: unknown) => { success: boolean } }
  valid: (world: SecurityWorld) => fc.Arbitrary<Entry[]>
  run: (fd: FormData, getUser: GetUser) => Promise<ActionState>
  /** The action does not look at the session before the database (continueAsInvitedAction). */
  ignoresCaller?: boolean
  /** Whether the form gets past the action's own checks, when it reads the form itself rather than through formToObject. */
  passes?: (fd: FormData) => boolean
  /** An error state may still have written these tables (a refused request still counts toward a rate limit). */
  errorMayWrite?: (state: ActionState) => string[]
}

function parses(schema: Target['schema'], fd: FormData): boolean {
  try {
    return schema.safeParse(formToObject(fd)).success
  } catch {
    return false // formToObject itself threw: the run below reports it
  }
}

async function checkOne(target: Target, fd: FormData, kind: CallerKind, stats: { db: number }) {
  const getUser = getters.get(kind)!
  const reachesDb = (target.ignoresCaller || kind !== 'signedOut') && (target.passes ? target.passes(fd) : parses(target.schema, fd))
  if (!reachesDb) {
    const start = queryCounter.count
    const state = await target.run(fd, getUser)
    expect(isActionState(state), JSON.stringify(state)).toBe(true)
    expect(state.status).toBe('error')
    expect(queryCounter.count - start, 'queries run for an input refused before the data layer').toBe(0)
    return
  }
  stats.db++
  const before = await snapshot(t.db)
  const state = await target.run(fd, getUser)
  expect(isActionState(state), JSON.stringify(state)).toBe(true)
  if (state.status === 'error') {
    const after = await snapshot(t.db)
    const mayChange = new Set(target.errorMayWrite?.(state) ?? [])
    for (const table of Object.keys(before)) if (!mayChange.has(table)) expect(after[table], `${table} written by an error state: ${state.message}`).toBe(before[table])
  }
}

function fuzz(target: Target) {
  it(`${target.name}: ${RUNS} hostile forms × callers → a returned state, and no write on error`, async () => {
    const stats = { db: 0 }
    await fc.assert(
      fc.asyncProperty(formArb(w, target.fields, target.valid), callerArb, async (entries, kind) => {
        await checkOne(target, toForm(entries), kind, stats)
      }),
      { numRuns: RUNS },
    )
    // The generator must reach the database often enough for the "no write" half to mean something.
    expect(stats.db).toBeGreaterThan(RUNS / 20)
  }, 300_000)
}

const s = (k: string, v: fc.Arbitrary<string>) => v.map((x): Entry => [k, x])

describe('fuzzing every action’s input', () => {
  fuzz({
    name: 'createOrganizationAction',
    fields: ['name'],
    schema: createOrganizationSchema,
    valid: () => fc.tuple(s('name', fc.constantFrom('Acme', 'Ünïcödé 東京', '<b>Bold</b> & "Co"', 'x'.repeat(80)))).map((e) => e),
    run: (fd, u) => act.createOrganization(fd, u),
  })
  fuzz({
    name: 'createProjectAction',
    fields: ['slug', 'name'],
    schema: createProjectSchema,
    valid: (world) => fc.tuple(s('slug', fc.constantFrom(world.org.slug, world.other.org.slug)), s('name', fc.constantFrom('Apollo', '<i>x</i>', 'y'.repeat(80)))),
    run: (fd, u) => act.createProject(fd, u),
  })
  fuzz({
    name: 'inviteMembersAction',
    fields: ['slug', 'emails', 'role', 'permissions', 'projects'],
    schema: inviteSchema,
    valid: (world) =>
      fc
        .tuple(
          s('slug', fc.constantFrom(world.org.slug, world.other.org.slug)),
          s('emails', fc.oneof(fc.emailAddress(), fc.constantFrom(world.pending.email, world.owner.email.toUpperCase(), 'bad, also@bad'))),
          s('role', fc.constantFrom('admin', 'member')),
          fc.subarray([...ALL_PERMISSIONS], { maxLength: 3 }).map((ps) => ps.map((p): Entry => ['permissions[]', p])),
          fc.subarray([`${world.projects.hidden.id}:admin`, `${world.projects.shared.id}:view`, `${world.other.project.id}:edit`], { maxLength: 2 }).map((ps) =>
            ps.map((p): Entry => ['projects[]', p]),
          ),
        )
        .map(([a, b, c, d, e]) => [a, b, c, ...d, ...e]),
    run: (fd, u) => act.inviteMembers(fd, u),
    // Every address rate limited: the refused units still count, as designed.
    errorMayWrite: (state) => ((state.data as { outcome: string }[] | undefined)?.some((r) => r.outcome === 'rate_limited') ? ['rate_limits'] : []),
  })
  for (const name of ['resendInvitationAction', 'revokeInvitationAction'] as const) {
    fuzz({
      name,
      fields: ['slug', 'invitationId'],
      schema: invitationIdSchema,
      valid: (world) => fc.tuple(s('slug', fc.constantFrom(world.org.slug, world.other.org.slug)), s('invitationId', fc.constantFrom(world.pending.id, '6f1c1d3e-8a7b-4c1d-9e2f-0a1b2c3d4e5f'))),
      run: (fd, u) => (name === 'resendInvitationAction' ? act.resendInvitation(fd, u) : act.revokeInvitation(fd, u)),
    })
  }
  for (const name of ['acceptInvitationAction', 'declineInvitationAction'] as const) {
    fuzz({
      name,
      fields: ['invitationId', 'then'],
      schema: respondSchema,
      valid: (world) => fc.tuple(s('invitationId', fc.constantFrom(world.pending.id, world.pending.id.toUpperCase(), '6f1c1d3e-8a7b-4c1d-9e2f-0a1b2c3d4e5f')), s('then', fc.constantFrom('stay', 'org'))),
      run: (fd, u) => (name === 'acceptInvitationAction' ? act.acceptInvitation(fd, u) : act.declineInvitation(fd, u)),
    })
  }
  fuzz({
    name: 'continueAsInvitedAction',
    fields: ['token'],
    // Its own check rather than a schema: a string that is a well-formed token.
    schema: { safeParse: (v) => ({ success: isWellFormedToken((v as { token?: unknown }).token) }) },
    valid: () => fc.tuple(s('token', fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url')))),
    // Signed in or not: the signed-in refusal comes before the database.
    run: (fd) => act.continueAsInvited(fd, async () => null),
    ignoresCaller: true,
    passes: (fd) => isWellFormedToken(fd.get('token')),
  })

  // Issue 4: member management, invitation edits, seat limit, project settings, notifications. The
  // ones that promote, demote or remove come last and act on `targets`; a caller's own id is sent
  // only where the rules refuse (oneself, an owner by a non-owner). Leaving is last of all.
  const slugs = (world: SecurityWorld) => s('slug', fc.constantFrom(world.org.slug, world.other.org.slug))
  const UNKNOWN = '6f1c1d3e-8a7b-4c1d-9e2f-0a1b2c3d4e5f'
  const permissionsArb = fc.subarray([...ALL_PERMISSIONS], { maxLength: 3 }).map((ps) => ps.map((p): Entry => ['permissions[]', p]))
  const memberIds = (world: SecurityWorld) => fc.constantFrom(targets.member.id, targets.admin.id, world.owner.id, world.other.owner.id, world.stranger.id, UNKNOWN)
  const projectIds = (world: SecurityWorld) => fc.constantFrom(targets.project.id, world.projects.hidden.id, world.other.project.id, UNKNOWN)

  fuzz({
    name: 'updateInvitationAction',
    fields: ['slug', 'invitationId', 'role', 'permissions', 'projects'],
    schema: updateInvitationSchema,
    valid: (world) =>
      fc
        .tuple(
          slugs(world),
          s('invitationId', fc.constantFrom(targets.invitationId, world.pending.id, UNKNOWN)),
          s('role', fc.constantFrom('admin', 'member')),
          permissionsArb,
          fc.subarray([`${targets.project.id}:admin`, `${world.projects.hidden.id}:edit`, `${world.other.project.id}:view`, `${targets.project.id}:none`], { maxLength: 2 }).map((ps) =>
            ps.map((p): Entry => ['projects[]', p]),
          ),
        )
        .map(([a, b, c, d, e]) => [a, b, c, ...d, ...e]),
    run: (fd, u) => act.updateInvitation(fd, u),
  })
  fuzz({
    name: 'previousAccessAction',
    fields: ['slug', 'email'],
    schema: previousAccessSchema,
    valid: (world) => fc.tuple(slugs(world), s('email', fc.oneof(fc.constantFrom(targets.formerEmail, ` ${targets.formerEmail.toUpperCase()} `), fc.emailAddress()))),
    run: (fd, u) => act.previousAccess(fd, u),
  })
  fuzz({
    name: 'grantProjectAccessAction',
    fields: ['slug', 'projectId', 'email', 'level'],
    schema: grantByEmailSchema,
    valid: (world) =>
      fc.tuple(
        slugs(world),
        s('projectId', projectIds(world)),
        s('email', fc.oneof(fc.constantFrom(targets.member.email, targets.admin.email.toUpperCase(), world.stranger.email, world.other.owner.email), fc.emailAddress())),
        s('level', fc.constantFrom('view', 'edit', 'admin')),
      ),
    run: (fd, u) => act.grantProjectAccess(fd, u),
  })
  fuzz({
    name: 'setProjectAccessAction',
    fields: ['slug', 'projectId', 'userId', 'level'],
    schema: projectAccessSchema,
    valid: (world) => fc.tuple(slugs(world), s('projectId', projectIds(world)), s('userId', memberIds(world)), s('level', fc.constantFrom('view', 'edit', 'admin', 'none'))),
    run: (fd, u) => act.setProjectAccess(fd, u),
  })
  fuzz({
    name: 'renameProjectAction',
    fields: ['slug', 'projectId', 'name'],
    schema: renameProjectSchema,
    valid: (world) => fc.tuple(slugs(world), s('projectId', projectIds(world)), s('name', fc.constantFrom('Apollo', '<i>x</i>', '  Gemini  two ', 'z'.repeat(80)))),
    run: (fd, u) => act.renameProject(fd, u),
  })
  fuzz({
    name: 'deleteProjectAction',
    fields: ['slug', 'projectId'],
    schema: projectRefSchema,
    valid: (world) => fc.tuple(slugs(world), s('projectId', fc.constantFrom(targets.doomed.id, world.other.project.id, UNKNOWN))),
    run: (fd, u) => act.deleteProject(fd, u),
  })
  fuzz({
    name: 'markNotificationsReadAction',
    // The bell posts no field; a slug must not change whose notifications are marked.
    fields: ['slug'],
    schema: markReadSchema,
    valid: (world) => fc.oneof(fc.constant<Entry[]>([]), fc.tuple(slugs(world))),
    run: (fd, u) => act.markNotificationsRead(fd, u),
  })
  fuzz({
    name: 'setSeatLimitAction',
    fields: ['slug', 'seatLimit'],
    schema: seatLimitSchema,
    valid: (world) =>
      fc.tuple(
        slugs(world),
        s('seatLimit', fc.oneof(fc.constantFrom('', ' ', '1', ' 7 ', '100000', '100001', '0', '-1', '1.5', '1e3', '0x10', 'Infinity', 'NaN'), fc.integer({ min: 1, max: 100_000 }).map(String))),
      ),
    run: (fd, u) => act.setSeatLimit(fd, u),
  })
  fuzz({
    name: 'makeOwnerAction',
    fields: ['slug', 'userId'],
    schema: memberTargetSchema,
    valid: (world) => fc.tuple(slugs(world), s('userId', memberIds(world))),
    run: (fd, u) => act.makeOwner(fd, u),
  })
  fuzz({
    name: 'updateMemberAccessAction',
    fields: ['slug', 'userId', 'role', 'permissions'],
    schema: memberAccessSchema,
    valid: (world) => fc.tuple(slugs(world), s('userId', memberIds(world)), s('role', fc.constantFrom('admin', 'member')), permissionsArb).map(([a, b, c, d]) => [a, b, c, ...d]),
    run: (fd, u) => act.updateMemberAccess(fd, u),
  })
  fuzz({
    name: 'removeMemberAction',
    fields: ['slug', 'userId'],
    schema: memberTargetSchema,
    valid: (world) => fc.tuple(slugs(world), s('userId', memberIds(world))),
    run: (fd, u) => act.removeMember(fd, u),
  })
  // Last: every caller but the last owner of each organization may leave, and then is a stranger.
  fuzz({
    name: 'leaveOrganizationAction',
    fields: ['slug'],
    schema: leaveOrganizationSchema,
    valid: (world) => fc.tuple(slugs(world)),
    run: (fd, u) => act.leaveOrganization(fd, u),
  })

  it(`signInAction (up to Auth.js's signIn): ${RUNS} hostile forms → a returned state; only a valid address counts toward its limits`, async () => {
    // app/login/actions.ts: the form through formToObject and signInSchema, then the rate limits.
    const signIn = async (fd: FormData): Promise<ActionState> => {
      const parsed = signInSchema.safeParse(formToObject(fd))
      if (!parsed.success) return { status: 'error', message: 'Please correct the highlighted fields.', fieldErrors: { email: [parsed.error.issues[0].message] } }
      const r = await consumeSignInBudget(t.db, { email: parsed.data.email, ip: '203.0.113.1' })
      return r.allowed ? { status: 'success' } : { status: 'error', message: 'Too many sign-in emails were requested.' }
    }
    await fc.assert(
      fc.asyncProperty(formArb(w, ['email', 'callbackUrl'], () => fc.tuple(s('email', fc.emailAddress()), s('callbackUrl', fc.constantFrom('/dashboard', 'https://evil.example', '//evil')))), async (entries) => {
        const start = queryCounter.count
        const state = await signIn(toForm(entries))
        expect(isActionState(state)).toBe(true)
        if (state.fieldErrors) expect(queryCounter.count).toBe(start)
      }),
      { numRuns: RUNS },
    )
  }, 300_000)
})

describe('what the fuzzing left behind', () => {
  it('every outbox row has exactly one valid recipient, and every invitation is to one valid address', async () => {
    const rows = await rowsOf<{ recipient: string }>(t.db, sql`select recipient from email_outbox`)
    for (const { recipient } of rows) {
      expect(isValidEmail(recipient), recipient).toBe(true)
      expect(recipient).not.toMatch(/[\s,;<>]/)
    }
    const invs = await rowsOf<{ email: string }>(t.db, sql`select email from invitations`)
    for (const { email } of invs) expect(isValidEmail(email), email).toBe(true)
  })

  it('no organization or project name holds a control character or more than 80 characters', async () => {
    const names = await rowsOf<{ name: string }>(t.db, sql`select name from organizations union all select name from projects`)
    for (const { name } of names) {
      expect(name).not.toMatch(/[\u0000-\u001f\u007f]/)
      expect(name.length).toBeLessThanOrEqual(80)
    }
  })
})

describe('defects the fuzzing found, each pinned by its smallest input', () => {
  it('a slug holding a NUL character is "not found", not a database error (every organization action)', async () => {
    const owner = getters.get('owner')!
    const slug = `${w.org.slug}\u0000`
    const forms = {
      createProject: [['slug', slug], ['name', 'Apollo']],
      inviteMembers: [['slug', slug], ['emails', 'nul@example.com'], ['role', 'member']],
      resendInvitation: [['slug', slug], ['invitationId', w.pending.id]],
      revokeInvitation: [['slug', slug], ['invitationId', w.pending.id]],
      updateInvitation: [['slug', slug], ['invitationId', w.pending.id], ['role', 'member']],
      previousAccess: [['slug', slug], ['email', 'nul@example.com']],
      setSeatLimit: [['slug', slug], ['seatLimit', '5']],
      updateMemberAccess: [['slug', slug], ['userId', w.memberWithout.id], ['role', 'member']],
      removeMember: [['slug', slug], ['userId', w.memberWithout.id]],
      makeOwner: [['slug', slug], ['userId', w.memberWithout.id]],
      leaveOrganization: [['slug', slug]],
      grantProjectAccess: [['slug', slug], ['projectId', w.projects.shared.id], ['email', w.memberWithout.email], ['level', 'view']],
      setProjectAccess: [['slug', slug], ['projectId', w.projects.shared.id], ['userId', w.memberWithout.id], ['level', 'none']],
      renameProject: [['slug', slug], ['projectId', w.projects.shared.id], ['name', 'Nul']],
      deleteProject: [['slug', slug], ['projectId', w.projects.shared.id]],
    } as const
    for (const [name, entries] of Object.entries(forms)) {
      const fd = new FormData()
      for (const [k, v] of entries) fd.append(k, v)
      const state = await act[name as keyof typeof forms](fd, owner).catch((err: unknown) => ({ thrown: String(err).slice(0, 120) }))
      expect(state, name).toMatchObject({ status: 'error' })
    }
  })

  it('a field sent both as "x" and "x[]", or a key naming an Object.prototype member, is parsed, not a crash', async () => {
    for (const entries of [
      [['name', 'Acme'], ['name[]', 'Other']],
      [['slug[]', 'a'], ['slug', 'b']],
      [['toString[]', 'x']],
      [['constructor[]', 'x']],
      [['__proto__[]', 'x']],
      [['hasOwnProperty[]', 'x']],
    ]) {
      const fd = new FormData()
      for (const [k, v] of entries) fd.append(k, v)
      const k = JSON.stringify(entries)
      let thrown: unknown = null
      try {
        formToObject(fd)
      } catch (err) {
        thrown = err
      }
      expect(thrown, k).toBeNull()
    }
    // A "__proto__" field must not replace the prototype of the parsed form.
    const fd = new FormData()
    fd.append('__proto__', 'x')
    fd.append('__proto__', 'y')
    expect([Object.prototype, null]).toContain(Object.getPrototypeOf(formToObject(fd)))
  })
})

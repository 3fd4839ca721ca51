// Issue 6, item 5: at 100,000 invitations the bell count, the pending list and the token lookup
// are answered from their indexes; the lists are read in index order (no sort of the whole
// organization), which caught indexes declared DESC NULLS LAST under ORDER BY ... DESC. The SQL mirrors lib/data/invitations/
// (listOpenInvitationsForUser, listPendingInvitations, getInvitationByToken); the plans are read
// after ANALYZE, as the planner would see a grown production table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryCounter } from '@/db/client'
import { createTestDb, type TestDb } from '@/test/db'
import { createInvitations } from './invitations/create-invitations'
import { expireInvitations } from './invitations/expire-invitations'
import { listPendingInvitations } from './invitations/list-pending-invitations'
import { listMembers } from './members/list-members'
import { countSeatsUsed } from './organizations'
import { getViewer } from './viewer'
import { hashSessionToken } from './session-token'
import { enqueueEmails } from '@/lib/data/outbox/enqueue-emails'
import { deliverDueEmails } from '@/lib/email/outbox'
import type { EmailTransport } from '@/lib/email/transport'

const ORG = '00000000-0000-4000-8000-0000000000e1'
const INVITER = '00000000-0000-4000-8000-0000000000e2'
const INVITEE = '00000000-0000-4000-8000-0000000000e3'
const ORGS = 100

let t: TestDb
let total = 0

interface PlanNode {
  'Node Type': string
  'Index Name'?: string
  'Relation Name'?: string
  Plans?: PlanNode[]
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

async function explain(query: string): Promise<PlanNode[]> {
  const result = (await t.db.execute(sql.raw(`explain (format json) ${query}`))) as unknown as { rows: Record<string, unknown>[] }
  const raw = Object.values(result.rows[0])[0]
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[]
  return nodes(doc[0].Plan)
}

const INDEX_SCANS = ['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']

/** The plan reads invitations through `indexName` and never scans the whole table. */
function expectIndexOnInvitations(plan: PlanNode[], indexName: string) {
  const summary = plan.map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}`)
  expect(summary.filter((s) => s.startsWith('Seq Scan on invitations')), summary.join(' > ')).toEqual([])
  expect(
    plan.some((n) => INDEX_SCANS.includes(n['Node Type']) && n['Index Name'] === indexName),
    `expected an index scan on ${indexName}, got: ${summary.join(' > ')}`,
  ).toBe(true)
}

beforeAll(async () => {
  t = await createTestDb()
  // PGlite (WASM, one connection) is slower to fill; 100,000 on a real server, 30,000 on PGlite.
  const perOrg = t.isRealPostgres ? 1000 : 300
  total = perOrg * ORGS
  const run = (q: string) => t.db.execute(sql.raw(q))
  await run(`insert into users (id, email, name) values ('${INVITER}', 'inviter@explain.test', 'Inviter'), ('${INVITEE}', 'invitee@explain.test', 'Invitee')`)
  await run(`insert into organizations (id, name, slug) values ('${ORG}', 'Explain', 'explain')`)
  await run(`insert into organizations (name, slug) select 'Org ' || o, 'org-' || o from generate_series(2, ${ORGS}) o`)
  // Mixed states, like a table that has lived: a third pending, the rest answered or revoked.
  await run(`
    insert into invitations (organization_id, email, role, invited_by, status, token_hash, expires_at, created_at)
    select org.id, 'person-' || i || '@explain.test', 'member', '${INVITER}',
           (array['pending', 'accepted', 'declined', 'revoked', 'expired', 'accepted'])[i % 6 + 1]::invitation_status,
           encode(sha256(convert_to(org.slug || '-' || i, 'UTF8')), 'hex'),
           now() + interval '7 days', now() - i * interval '1 second'
    from organizations org cross join generate_series(1, ${perOrg}) i`)
  // The invitee has a handful of open invitations, as a real user would.
  await run(`
    insert into invitations (organization_id, email, role, invited_by, status, token_hash, expires_at)
    select org.id, 'invitee@explain.test', 'member', '${INVITER}', 'pending',
           encode(sha256(convert_to('invitee-' || org.slug, 'UTF8')), 'hex'), now() + interval '7 days'
    from organizations org order by org.slug limit 5`)
  // The organization's members, for the members list.
  await run(`insert into users (email) select 'member-' || i || '@explain.test' from generate_series(1, ${perOrg * 10}) i`)
  await run(`
    insert into memberships (organization_id, user_id, role, permissions, joined_at)
    select '${ORG}', u.id, 'member', '{}', now() - row_number() over (order by u.email) * interval '1 second'
    from users u where u.email like 'member-%@explain.test'`)
  // As autovacuum leaves a lived-in table: statistics and the visibility map.
  await run('vacuum analyze')
}, 300_000)

afterAll(async () => {
  await t?.cleanup()
})

describe('invitation queries at scale (EXPLAIN)', () => {
  it('seeded the table', async () => {
    const result = (await t.db.execute(sql.raw('select count(*)::int as n from invitations'))) as unknown as { rows: { n: number }[] }
    expect(result.rows[0].n).toBeGreaterThanOrEqual(total)
  })

  it('counts the bell from invitations_email_status_idx', async () => {
    const plan = await explain(`
      select count(*) from invitations
      where invitations.email = (select invitee.email from users as invitee where invitee.id = '${INVITEE}')
        and invitations.status = 'pending' and invitations.expires_at > now()`)
    expectIndexOnInvitations(plan, 'invitations_email_status_idx')
  })

  it('lists the bell and Dashboard items from invitations_email_status_idx', async () => {
    const plan = await explain(`
      select invitations.id, organizations.name, organizations.slug, users.name, users.email
      from invitations
      inner join organizations on organizations.id = invitations.organization_id
      left join users on users.id = invitations.invited_by
      where invitations.email = (select invitee.email from users as invitee where invitee.id = '${INVITEE}')
        and invitations.status = 'pending' and invitations.expires_at > now()
      order by invitations.created_at desc, invitations.id desc
      limit 20`)
    expectIndexOnInvitations(plan, 'invitations_email_status_idx')
  })

  it('pages the pending list from invitations_org_open_created_idx in index order (first and later pages)', async () => {
    const page = (cursor: string) => `
      select invitations.id, invitations.email, invitations.status, invitations.created_at
      from invitations
      left join users on users.id = invitations.invited_by
      left join email_outbox on email_outbox.id = invitations.last_email_id
      where invitations.organization_id = '${ORG}' and invitations.status in ('pending', 'expired') ${cursor}
      order by invitations.created_at desc, invitations.id desc
      limit 51`
    for (const plan of [
      await explain(page('')),
      await explain(page(`and (invitations.created_at, invitations.id) < (now() - interval '100 seconds', '00000000-0000-4000-8000-000000000000'::uuid)`)),
    ]) {
      expectIndexOnInvitations(plan, 'invitations_org_open_created_idx')
      // Read in the index's order, not sorted: a sort would read every open invitation of the organization.
      expect(plan.map((n) => n['Node Type'])).not.toContain('Sort')
    }
  })

  it('counts the seats held by pending invitations from invitations_org_pending_expiry_idx', async () => {
    const plan = await explain(`
      select count(*) from invitations held
      where held.organization_id = '${ORG}' and held.status = 'pending' and held.expires_at > now()`)
    expectIndexOnInvitations(plan, 'invitations_org_pending_expiry_idx')
  })

  it('pages the members list from memberships_org_joined_idx in index order', async () => {
    const plan = await explain(`
      select memberships.id, users.email from memberships
      inner join users on users.id = memberships.user_id
      where memberships.organization_id = '${ORG}'
      order by memberships.joined_at desc, memberships.id desc
      limit 26`)
    const summary = plan.map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`)
    expect(summary, summary.join(' > ')).toContain('Index Scan using memberships_org_joined_idx')
    expect(summary).not.toContain('Sort')
  })

  it('finds a token by invitations_token_hash_unique', async () => {
    const plan = await explain(`
      select invitations.id, organizations.name, invitations.status
      from invitations
      inner join organizations on organizations.id = invitations.organization_id
      left join users on users.id = invitations.invited_by
      where invitations.token_hash = encode(sha256(convert_to('org-50-7', 'UTF8')), 'hex')`)
    expectIndexOnInvitations(plan, 'invitations_token_hash_unique')
  })
})

// On Postgres the app prepares its statements (db/client.ts), and after a few runs Postgres plans
// them once for any values (a generic plan). A value sent as a parameter where a partial index
// needs a literal (status = 'pending') then loses the index: the Members tab read the whole
// organization's invitations and sorted them. These plan the very statements the data layer sends,
// as generic plans. Postgres only: on PGlite the driver sends every statement unnamed.
describe('the statements the data layer sends, planned as prepared statements (generic plans)', () => {
  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return 'null'
    if (v instanceof Date) return `'${v.toISOString()}'`
    if (Array.isArray(v)) return literal(`{${v.map((x) => `"${String(x).replace(/["\\]/g, '\\$&')}"`).join(',')}}`)
    return `'${String(v).replace(/'/g, "''")}'`
  }

  /** Runs `work`, then plans each statement it sent (BEGIN/COMMIT aside) as a generic plan. */
  async function genericPlans(work: () => Promise<unknown>): Promise<{ query: string; plan: PlanNode[] }[]> {
    const statements: { query: string; params: unknown[] }[] = []
    queryCounter.statements = statements
    try {
      await work()
    } finally {
      queryCounter.statements = null
    }
    const plans = []
    for (const [i, { query, params }] of statements.entries()) {
      if (/^\s*(begin|commit|rollback)/i.test(query)) continue
      const name = `generic_${i}_${Date.now()}`
      await t.db.execute(sql.raw(`prepare ${name} as ${query}`))
      try {
        await t.db.execute(sql.raw(`set plan_cache_mode = force_generic_plan`))
        const args = params.length ? `(${params.map(literal).join(', ')})` : ''
        plans.push({ query, plan: await explain(`execute ${name}${args}`) })
      } finally {
        await t.db.execute(sql.raw(`reset plan_cache_mode`))
        await t.db.execute(sql.raw(`deallocate ${name}`))
      }
    }
    return plans
  }

  const summary = (plan: PlanNode[]) => plan.map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}`)
  // The organization here holds nearly every membership, so counting them may rightly read the whole (small) table.
  const BIG = ['invitations']

  function expectNoFullScan(plans: { query: string; plan: PlanNode[] }[]) {
    expect(plans.length).toBeGreaterThan(0)
    for (const { query, plan } of plans) {
      const scans = summary(plan).filter((s) => BIG.some((table) => s === `Seq Scan on ${table}`))
      expect(scans, `${query.slice(0, 200)}\n${summary(plan).join(' > ')}`).toEqual([])
    }
  }

  beforeAll(async () => {
    await t.db.execute(sql.raw(`insert into memberships (organization_id, user_id, role) values ('${ORG}', '${INVITER}', 'owner') on conflict do nothing`))
    await t.db.execute(sql.raw(`insert into sessions (session_token, user_id, expires) values ('${hashSessionToken('explain-session-token-0000000000000000')}', '${INVITEE}', now() + interval '1 day') on conflict do nothing`))
  })

  it('the Members tab lists (invitations and members, first and later pages) read their indexes, in order', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const first = await listPendingInvitations(t.db, { orgId: ORG, actorId: INVITER, limit: 25 })
    expect(first?.items).toHaveLength(25)
    const plans = await genericPlans(async () => {
      await listPendingInvitations(t.db, { orgId: ORG, actorId: INVITER, limit: 25 })
      await listPendingInvitations(t.db, { orgId: ORG, actorId: INVITER, limit: 25, cursor: first!.nextCursor })
    })
    expectNoFullScan(plans)
    for (const { plan } of plans) {
      expectIndexOnInvitations(plan, 'invitations_org_open_created_idx')
      expect(plan.map((n) => n['Node Type'])).not.toContain('Sort')
    }
    const members = await genericPlans(() => listMembers(t.db, { orgId: ORG, actorId: INVITER, limit: 25 }))
    expectNoFullScan(members)
    expect(members.flatMap(({ plan }) => summary(plan))).toContain('Index Scan using memberships_org_joined_idx on memberships')
  })

  it('an invite reads one user and one membership per address, not the organization', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const invite = () =>
      createInvitations(
        t.db,
        { orgId: ORG, actorId: INVITER, emails: [`fresh-${Date.now()}@explain.test`, 'member-1@explain.test'], role: 'member', permissions: [], projectGrants: [] },
        { appUrl: 'https://app.example.com', ttlDays: 7 },
      )
    const plans = await genericPlans(async () => {
      const r = await invite()
      expect(r.ok && r.results.map((x) => x.outcome)).toEqual(['invited', 'already_member'])
    })
    expectNoFullScan(plans)
    // Written as a join, "is this address a member" hashed all 10,000 memberships and read every user, per invite.
    const steps = plans.flatMap(({ plan }) => summary(plan))
    expect(steps.filter((x) => x === 'Seq Scan on users'), plans.map(({ plan }) => summary(plan).join(' > ')).join('\n')).toEqual([])
    expect(steps).toContain('Index Scan using users_email_unique on users')
  })

  it('the outbox claim takes a batch through its indexes, not by reading every email ever sent', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    // A grown outbox: 20,000 sent emails, some of them from batches.
    await t.db.execute(sql.raw(`
      insert into email_outbox (kind, recipient, subject, html, text, idempotency_key, status, batch_id)
      select 'old', 'old-' || g || '@explain.test', 's', 'h', 't', 'old/' || g, 'sent', case when g % 3 = 0 then null else gen_random_uuid() end
      from generate_series(1, 20000) g`))
    await t.db.execute(sql.raw('analyze email_outbox'))
    const emails = Array.from({ length: 50 }, (_, i) => ({ kind: 'test', to: `batch-${i}@explain.test`, subject: 's', html: 'h', text: 't' }))
    const ids = (await enqueueEmails(t.db, emails, { asBatch: true })).map((r) => r.id)
    const transport: EmailTransport = { send: async () => ({ ok: true, providerId: 'p' }), sendBatch: async (m) => ({ ok: true, providerIds: m.map(() => 'p') }) }
    const plans = await genericPlans(async () => {
      expect(await deliverDueEmails(t.db, transport, { from: 'a@explain.test', onlyIds: ids, limit: ids.length })).toMatchObject({ claimed: 50, sent: 50 })
    })
    const steps = plans.flatMap(({ plan }) => summary(plan))
    // Written with OR (the leader, or a row of its batch), the claim read the whole table.
    expect(steps.filter((x) => x === 'Seq Scan on email_outbox'), plans.map(({ plan }) => summary(plan).join(' > ')).join('\n')).toEqual([])
    expect(steps).toContain('Index Scan using email_outbox_batch_idx on email_outbox')
  })

  it('the session with the bell, the seat count and the expiry sweep read their indexes', async (ctx) => {
    if (!t.isRealPostgres) return ctx.skip()
    const viewer = await genericPlans(() => getViewer(t.db, { token: 'explain-session-token-0000000000000000' }))
    expectNoFullScan(viewer)
    expect(viewer.flatMap(({ plan }) => summary(plan)), viewer.map(({ plan }) => summary(plan).join(' > ')).join('\n')).toContain('Index Scan using invitations_email_status_idx on invitations')
    const seats = await genericPlans(() => countSeatsUsed(t.db, ORG))
    expectNoFullScan(seats)
    expect(seats.flatMap(({ plan }) => summary(plan))).toContain('Index Only Scan using invitations_org_pending_expiry_idx on invitations')
    const sweep = await genericPlans(() => expireInvitations(t.db))
    expectNoFullScan(sweep)
    expect(sweep.flatMap(({ plan }) => summary(plan)).some((s) => s.includes('using invitations_pending_expiry_idx'))).toBe(true)
  })
})

// `npm run bench [-- --check] [--no-build] [--pglite] [--n=1000] [--rounds=2] [--duration=4] [--max=400] [--connections=4]`
//
// Builds the app, and for each N (1,000 and 10,000 unless --n is given): creates its own database
// (on DATABASE_URL, dropped at the end; or a temp PGlite dir with --pglite), bulk-seeds it,
// starts the fake Resend server and `next start` (production), signs two users in through the
// real magic-link flow, loads each target with autocannon on loopback in alternating rounds,
// and writes bench-results/last-run.md and last-run.json. --check exits 1 when a budget of
// issue 6 is missed. See scripts/bench/README.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { openDb, type Db } from '../../db/client'
import { runMigrations } from '../../db/migrate'
import { measureFirstLoadJs, type FirstLoadJs } from './first-load-js'
import { actionBody, actionHeaders, decodeHtml, readActionIds, signIn, waitFor } from './http'
import {
  BIG_ORG_ID,
  BIG_SLUG,
  INVITEE_EMAIL,
  INVITEE_ID,
  NEW_INVITE_PREFIX,
  OWNER_EMAIL,
  resetStatements,
  seedStatements,
  SMALL_SLUG,
} from './seed'
import { evaluateBudgets, renderReport, type RunResult, type TargetResult } from './report'

const root = path.resolve(import.meta.dirname, '../..')
const resultsDir = path.join(root, 'bench-results')

// ------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(`--${name}`)
const option = (name: string, fallback: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`))
  return a ? Number(a.split('=')[1]) : fallback
}
const opts = {
  check: flag('check'),
  build: !flag('no-build'),
  pglite: flag('pglite'),
  sizes: argv.some((a) => a.startsWith('--n=')) ? [option('n', 1000)] : [1000, 10_000],
  rounds: option('rounds', 2),
  durationS: option('duration', 4),
  maxRequests: option('max', 400),
  connections: option('connections', 4),
  warmup: option('warmup', 40),
  /** --only=name,name: just these targets (and their floors), for a quick look at a change. */
  only: argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').map((x) => x.trim().toLowerCase()) ?? null,
  /** --profile: the server writes V8 CPU profiles to bench-results/profiles when it stops. */
  profile: flag('profile'),
  /** --hold: after signing in, write the URLs and cookies to bench-results/hold.json and wait (Ctrl-C ends), for trying requests by hand. */
  hold: flag('hold'),
}
const baseDatabaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'

const log = (...a: unknown[]) => console.error('[bench]', ...a)

// ------------------------------------------------------------------------------------------
// Processes

const started: ChildProcess[] = []
/** Databases (and PGlite dirs) this run created and has not dropped yet: every way the run ends drops them. */
const undropped = new Set<() => Promise<void>>()
/** Set while --hold waits: Ctrl-C then ends the hold and the run goes on to its own cleanup. */
let endHold: (() => void) | null = null

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
    srv.on('error', reject)
  })
}

function startProcess(cmd: string, args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const out = createWriteStream(logFile)
  // Its own process group, so stopping it stops whatever it spawned, and nothing else.
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.pipe(out)
  child.stderr!.pipe(out)
  started.push(child)
  return child
}

/** The flags `npm start` gives Node before `next start` (package.json), so the bench runs what production runs. */
function startNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start
  const flags = start.match(/^node ((?:--\S+ )*)node_modules\/next\/dist\/bin\/next start/)?.[1]
  return flags ? flags.trim().split(' ') : []
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return
  const exited = new Promise((r) => child.once('exit', r))
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {}
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
  }, 5000)
  await exited
  clearTimeout(timer)
}

/** VmRSS of a process and all its descendants, in bytes (Linux /proc). */
function treeRss(pid: number): number {
  let total = 0
  for (const p of processTree(pid)) {
    try {
      const kb = readFileSync(`/proc/${p}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
      if (kb) total += Number(kb[1]) * 1024
    } catch {}
  }
  return total
}

/** Descendants of pid, itself included (Linux /proc). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {}
  }
  const out: number[] = []
  const stack = [pid]
  while (stack.length) {
    const p = stack.pop()!
    out.push(p)
    stack.push(...(children.get(p) ?? []))
  }
  return out
}

const CLOCK_TICK_MS = 10 // USER_HZ is 100 on Linux

/** User + system CPU time of each of the given processes, in ms (unreadable ones left out). */
function cpuMsOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(p, (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS) // utime, stime (fields 14 and 15 of stat)
    } catch {}
  }
  return out
}

/** Every PostgreSQL process on this machine (the bench's database server is a local one). */
function postgresPids(): number[] {
  return readdirSync('/proc').filter((e) => {
    if (!/^\d+$/.test(e)) return false
    try {
      return readFileSync(`/proc/${e}/comm`, 'utf8').trim() === 'postgres'
    } catch {
      return false
    }
  }).map(Number)
}

export type CpuSplit = Record<'server' | 'postgres' | 'emailProvider' | 'loadGenerator', number>
type CpuSnapshot = Record<keyof CpuSplit, Map<number, number>>

/** Where the machine's CPU goes: the app server, PostgreSQL, the fake email provider and this process (autocannon). */
function readCpu(serverPid: number, providerPid: number, isPglite: boolean): CpuSnapshot {
  const self = process.cpuUsage()
  return {
    server: cpuMsOf(processTree(serverPid)),
    postgres: isPglite ? new Map() : cpuMsOf(postgresPids()),
    emailProvider: cpuMsOf(processTree(providerPid)),
    loadGenerator: new Map([[process.pid, (self.user + self.system) / 1000]]),
  }
}

/**
 * CPU used between two snapshots, per group. A process started in between counts from zero; one
 * that ended in between is lost (short-lived PostgreSQL backends: the app's pool keeps its own).
 */
function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const sum = (k: keyof CpuSplit) => [...after[k]].reduce((total, [pid, ms]) => total + ms - (before[k].get(pid) ?? 0), 0)
  return { server: sum('server'), postgres: sum('postgres'), emailProvider: sum('emailProvider'), loadGenerator: sum('loadGenerator') }
}

// ------------------------------------------------------------------------------------------
// Database

interface BenchDb {
  label: string
  env: Record<string, string>
  /** Runs reset SQL between runs; null on PGlite (the server holds its only connection). */
  exec: ((statement: string) => Promise<unknown>) | null
  drop: () => Promise<void>
  pools: { revoke: string[]; accept: string[] }
}

const poolQueries = (size: number) => ({
  revoke: `select id from invitations where organization_id = '${BIG_ORG_ID}' and status = 'pending' and email like 'pending-%' order by created_at asc limit ${size}`,
  accept: `select id from invitations where email = '${INVITEE_EMAIL}' and status = 'pending' order by created_at desc`,
})

async function readPools(db: Db) {
  const q = poolQueries(opts.rounds * opts.maxRequests + opts.warmup)
  const ids = async (text: string) => ((await db.execute(sql.raw(text))) as unknown as { rows: { id: string }[] }).rows.map((r) => r.id)
  return { revoke: await ids(q.revoke), accept: await ids(q.accept) }
}

async function createBenchDb(n: number, acceptPool: number): Promise<BenchDb> {
  const statements = seedStatements({ n, acceptPool })
  if (opts.pglite) {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-pglite-'))
    const handle = openDb({ dataDir: dir })
    await runMigrations(handle)
    for (const s of statements) await handle.db.execute(sql.raw(s))
    const pools = await readPools(handle.db)
    await handle.close()
    return { pools, label: 'PGlite', env: { DATABASE_URL: '', PGLITE_DIR: dir }, exec: null, drop: dropOnce(async () => rmSync(dir, { recursive: true, force: true })) }
  }
  const name = `bench_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: baseDatabaseUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const dropDatabase = dropOnce(async () => {
    const c = new pg.Client({ connectionString: baseDatabaseUrl })
    await c.connect()
    await c.query(`drop database if exists ${name} with (force)`)
    await c.end()
  })
  const version = (await admin.query('show server_version')).rows[0].server_version as string
  await admin.end()
  const url = new URL(baseDatabaseUrl)
  url.pathname = `/${name}`
  const handle = openDb({ databaseUrl: url.toString() })
  await runMigrations(handle)
  for (const s of statements) await handle.db.execute(sql.raw(s))
  const pools = await readPools(handle.db)
  await handle.close()
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  return {
    pools,
    label: `PostgreSQL ${version}`,
    env: { DATABASE_URL: url.toString(), PGLITE_DIR: '' },
    exec: (s) => client.query(s),
    drop: async () => {
      await client.end().catch(() => {})
      await dropDatabase()
    },
  }
}

// ------------------------------------------------------------------------------------------
// Targets

interface Target {
  name: string
  kind: 'page' | 'action'
  floor: string | null
  path: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  /** A fresh body per request (actions). */
  body?: () => string
  /** Whether a response is what the target means to measure (an action's returned state). */
  isOk?: (status: number, body: string) => boolean
  before?: () => Promise<void>
  reset?: keyof typeof resetStatements
  /** How many requests the pool behind this target allows in one run. */
  capacity?: () => number
  note?: string
}

interface Counters {
  requests: number
  inFlight: number
  inResponse: number
  afterResponse: number
  background: number
  patched: string[]
}

async function readCounters(port: number): Promise<Counters> {
  return (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as Counters
}

interface Accumulated {
  samples: number[]
  requests: number
  seconds: number
  errors: number
  errorDetail: Record<string, number>
  queries: number
  afterResponseQueries: number
  countedRequests: number
  /** CPU ms spent by each process during the runs (and the deliveries that follow them). */
  cpu: CpuSplit
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]
}

async function load(appUrl: string, target: Target, amount: { durationS: number; max: number; connections: number }, acc: Accumulated | null, counterPort: number) {
  const max = Math.max(amount.connections, Math.min(amount.max, target.capacity ? target.capacity() : amount.max))
  const before = await readCounters(counterPort)
  let badBodies = 0
  const samples: number[] = []
  let finish: (err: unknown, result: autocannon.Result) => void = () => {}
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, result) => (err ? reject(err) : resolve(result))
  })
  const instance = autocannon({
    url: appUrl,
    connections: amount.connections,
    duration: amount.durationS,
    maxOverallRequests: max,
    timeout: 30,
    requests: [
      {
        method: target.method,
        path: target.path,
        headers: target.headers,
        ...(target.body ? { setupRequest: (req) => ({ ...req, body: target.body!() }) } : {}),
        ...(target.isOk
          ? {
              onResponse: (status: number, body: string) => {
                if (!target.isOk!(status, body)) {
                  badBodies++
                  if (badBodies === 1) log(`  ${target.name}: unexpected response ${status}: ${String(body).slice(0, 300)}`)
                }
              },
            }
          : {}),
      },
    ],
  }, (err, result) => finish(err, result))
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => samples.push(responseTime))
  const result = await done
  // autocannon stops at its deadline with requests still being served: wait for the server to
  // finish them, so the reset that follows cannot interleave with a late transaction.
  await waitFor('in-flight requests to finish', async () => (await readCounters(counterPort)).inFlight === 0, 60_000, 100)
  const after = await readCounters(counterPort)
  if (!acc) return
  const non2xx = result.non2xx
  acc.samples.push(...samples)
  acc.requests += result.requests.total
  acc.seconds += result.duration
  acc.errors += result.errors + result.timeouts + non2xx + badBodies
  acc.errorDetail.errors = (acc.errorDetail.errors ?? 0) + result.errors
  acc.errorDetail.timeouts = (acc.errorDetail.timeouts ?? 0) + result.timeouts
  acc.errorDetail.non2xx = (acc.errorDetail.non2xx ?? 0) + non2xx
  acc.errorDetail.unexpectedState = (acc.errorDetail.unexpectedState ?? 0) + badBodies
  acc.queries += after.inResponse - before.inResponse
  acc.afterResponseQueries += after.afterResponse - before.afterResponse
  acc.countedRequests += after.requests - before.requests
}

// ------------------------------------------------------------------------------------------
// One size

async function runSize(n: number, firstLoad: Record<string, FirstLoadJs> | null): Promise<RunResult> {
  const acceptPool = opts.rounds * opts.maxRequests + opts.warmup + 100
  log(`N=${n}: seeding (${opts.pglite ? 'PGlite' : 'PostgreSQL'})`)
  const t0 = Date.now()
  const db = await createBenchDb(n, acceptPool)
  const seedSeconds = (Date.now() - t0) / 1000
  log(`N=${n}: seeded in ${seedSeconds.toFixed(1)} s`)
  const appPort = await freePort()
  const resendPort = await freePort()
  const counterPort = await freePort()
  const appUrl = `http://127.0.0.1:${appPort}`
  const fakeResendUrl = `http://127.0.0.1:${resendPort}`
  mkdirSync(resultsDir, { recursive: true })
  const resend = startProcess(path.join(root, 'node_modules/.bin/tsx'), ['test/fake-resend.ts', '--port', String(resendPort)], {}, path.join(resultsDir, `fake-resend-${n}.log`))
  const server = startProcess(
    process.execPath,
    // The Node flags of `npm start` (the heap limits production runs with), and --cpu-prof, which
    // is refused in NODE_OPTIONS.
    [...startNodeFlags(), ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(resultsDir, 'profiles')}`] : []), path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', String(appPort), '-H', '127.0.0.1'],
    {
      NODE_ENV: 'production',
      APP_URL: appUrl,
      AUTH_SECRET: 'bench-secret-bench-secret-bench-secret-bench',
      RESEND_API_KEY: 're_bench_key',
      RESEND_BASE_URL: fakeResendUrl,
      EMAIL_FROM: 'Cloud Dashboard <no-reply@example.com>',
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(root, 'scripts/bench/query-counter-hook.cjs')}`.trim(),
      BENCH_COUNTER_PORT: String(counterPort),
      ...db.env,
    },
    path.join(resultsDir, `server-${n}.log`),
  )
  try {
    await waitFor('the fake Resend server', async () => (await fetch(`${fakeResendUrl}/__emails`)).ok, 30_000)
    await waitFor('next start', async () => (await fetch(`${appUrl}/login`)).status === 200, 120_000, 500)
    const counters = await readCounters(counterPort)
    log(`N=${n}: server up; query counter patched: ${counters.patched.join(', ') || 'nothing'}`)

    const actions = readActionIds(root)
    const action = (file: string, name: string) => {
      const ref = actions.get(`${file}#${name}`)
      if (!ref) throw new Error(`server action ${name} of ${file} is not in the build's manifest`)
      return ref.id
    }
    const ownerCookie = await signIn({ appUrl, fakeResendUrl, email: OWNER_EMAIL, signInActionId: action('app/login/actions.ts', 'signInAction'), ip: '10.9.0.1' })
    const inviteeCookie = await signIn({ appUrl, fakeResendUrl, email: INVITEE_EMAIL, signInActionId: action('app/login/actions.ts', 'signInAction'), ip: '10.9.0.2' })
    log(`N=${n}: signed in ${OWNER_EMAIL} and ${INVITEE_EMAIL} through /login and the emailed link`)

    const get = async (p: string, cookie: string) => {
      const res = await fetch(`${appUrl}${p}`, { headers: { cookie }, redirect: 'manual' })
      const html = await res.text()
      if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}`)
      return html
    }
    const membersPath = `/orgs/${BIG_SLUG}/members`
    const membersHtml = await get(membersPath, ownerCookie)
    const dashboardHtml = await get('/dashboard', ownerCookie)
    const floorHtml = await get(`/orgs/${SMALL_SLUG}`, ownerCookie)
    log(`N=${n}: HTML size: floor page ${(floorHtml.length / 1024).toFixed(0)} KB, Dashboard ${(dashboardHtml.length / 1024).toFixed(0)} KB, Members tab ${(membersHtml.length / 1024).toFixed(0)} KB`)
    if (!/Invitations/.test(dashboardHtml)) log('  warning: the Dashboard shows no open invitations for the owner')
    if (firstLoad && Object.keys(firstLoad).length === 0) {
      firstLoad.Dashboard = measureFirstLoadJs(root, dashboardHtml)
      firstLoad.Members = measureFirstLoadJs(root, membersHtml)
    }
    if (opts.hold) {
      writeFileSync(path.join(resultsDir, 'hold.json'), JSON.stringify({ appUrl, fakeResendUrl, counterPort, ownerCookie, inviteeCookie, membersPath, floorPath: `/orgs/${SMALL_SLUG}` }, null, 2))
      log(`--hold: serving ${appUrl}; cookies in bench-results/hold.json; Ctrl-C to stop`)
      await new Promise<void>((resolve) => (endHold = resolve))
      endHold = null
      throw new HoldEnded()
    }
    // A later page of the members list: follow "Next page of members" five times (keyset cursors).
    let laterPath = membersPath
    let html = membersHtml
    for (let i = 0; i < 5; i++) {
      const href = html.match(/<a[^>]*href="([^"]*\?members=[^"]*)"[^>]*>Next page of members<\/a>/)?.[1]
      if (!href) break
      laterPath = decodeHtml(href)
      html = await get(laterPath, ownerCookie)
    }
    if (laterPath === membersPath) throw new Error('no "Next page of members" link on the Members tab')

    // Pools the actions consume: pending invitations of Bench Big (revoke) and the invitee's (accept).
    const pools = db.pools
    let revokeNext = 0
    let acceptNext = 0
    let inviteCounter = 0
    const runTag = randomBytes(3).toString('hex')
    const newAddresses = (k: number) =>
      Array.from({ length: k }, (_, j) => `${NEW_INVITE_PREFIX}${runTag}-${inviteCounter}-${j}@bench.test`).join(', ')
    const inviteBody = (k: number) => () => {
      inviteCounter++
      return actionBody([
        ['slug', BIG_SLUG],
        ['emails', newAddresses(k)],
        ['role', 'member'],
        ['permissions[]', 'members:read'],
      ])
    }
    const isSuccess = (status: number, body: string) => status === 200 && /"status":"success"/.test(body)
    const inviteId = action('app/(app)/orgs/[slug]/members/actions.ts', 'inviteMembersAction')
    const revokeId = action('app/(app)/orgs/[slug]/members/actions.ts', 'revokeInvitationAction')
    const acceptId = action('app/(app)/invitations/actions.ts', 'acceptInvitationAction')
    const origin = appUrl
    const setResendDelay = (ms: number) => async () => {
      await fetch(`${fakeResendUrl}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delayMs: ms }) })
    }
    const pageHeaders = (cookie: string) => ({ cookie, accept: 'text/html' })
    const allTargets: Target[] = [
      { name: 'floor page', kind: 'page', floor: null, method: 'GET', path: `/orgs/${SMALL_SLUG}`, headers: pageHeaders(ownerCookie), note: `Projects tab of ${SMALL_SLUG} (no projects), header with the bell (5 open invitations)` },
      {
        name: 'sign-in page (signed out)',
        kind: 'page',
        floor: 'floor page',
        method: 'GET',
        path: '/login',
        headers: { accept: 'text/html' },
        note: 'reference: a page of this build with no session and no query, what any page costs on this machine before it does any work',
      },
      { name: 'Dashboard', kind: 'page', floor: 'floor page', method: 'GET', path: '/dashboard', headers: pageHeaders(ownerCookie), note: 'owner: 5 open invitations from other organizations, 2 organizations' },
      { name: 'Members tab', kind: 'page', floor: 'floor page', method: 'GET', path: membersPath, headers: pageHeaders(ownerCookie), note: 'first page of members and of pending invitations (25 each)' },
      { name: 'Members later page', kind: 'page', floor: 'floor page', method: 'GET', path: laterPath, headers: pageHeaders(ownerCookie), note: 'page 6 of the members list (cursor)' },
      {
        name: 'bell',
        kind: 'page',
        floor: 'floor page',
        method: 'GET',
        path: `/orgs/${SMALL_SLUG}`,
        headers: pageHeaders(inviteeCookie),
        note: `no endpoint of its own: the floor page as the invitee, whose bell counts ${acceptPool} open invitations`,
      },
      {
        name: 'no-op action',
        kind: 'action',
        floor: null,
        method: 'POST',
        path: membersPath,
        headers: actionHeaders(revokeId, origin, ownerCookie),
        body: () => actionBody([
          ['slug', BIG_SLUG],
          ['invitationId', 'not-a-uuid'],
        ]),
        isOk: (status, body) => status === 200 && /"status":"error"/.test(body),
        note: 'revokeInvitationAction with a malformed id: session check + validation, then returns',
      },
      { name: 'invite 1', kind: 'action', floor: 'no-op action', method: 'POST', path: membersPath, headers: actionHeaders(inviteId, origin, ownerCookie), body: inviteBody(1), isOk: isSuccess, reset: 'invite' },
      {
        name: 'invite 1, email slow',
        kind: 'action',
        floor: 'no-op action',
        method: 'POST',
        path: membersPath,
        headers: actionHeaders(inviteId, origin, ownerCookie),
        body: inviteBody(1),
        isOk: isSuccess,
        reset: 'invite',
        before: setResendDelay(500),
        note: 'the fake Resend server answers after 500 ms',
      },
      { name: 'invite 50', kind: 'action', floor: 'no-op action', method: 'POST', path: membersPath, headers: actionHeaders(inviteId, origin, ownerCookie), body: inviteBody(50), isOk: isSuccess, reset: 'invite' },
      {
        name: 'accept',
        kind: 'action',
        floor: 'no-op action',
        method: 'POST',
        path: '/dashboard',
        headers: actionHeaders(acceptId, origin, inviteeCookie),
        body: () => actionBody([['invitationId', pools.accept[acceptNext++ % pools.accept.length]]]),
        isOk: isSuccess,
        reset: 'accept',
        capacity: () => pools.accept.length - acceptNext,
        note: 'the invitee accepts one invitation each (from the Dashboard)',
      },
      {
        name: 'revoke',
        kind: 'action',
        floor: 'no-op action',
        method: 'POST',
        path: membersPath,
        headers: actionHeaders(revokeId, origin, ownerCookie),
        body: () => actionBody([
          ['slug', BIG_SLUG],
          ['invitationId', pools.revoke[revokeNext++ % pools.revoke.length]],
        ]),
        isOk: isSuccess,
        reset: 'revoke',
        capacity: () => pools.revoke.length - revokeNext,
        note: 'the owner revokes one pending invitation of Bench Big each',
      },
    ]
    const wanted = (t: Target) => !opts.only || opts.only.some((o) => t.name.toLowerCase() === o)
    const targets = allTargets.filter((t) => wanted(t) || allTargets.some((u) => wanted(u) && u.floor === t.name))

    const waitForDeliveries = async (t: Target) => {
      if (t.reset === 'invite') {
        // The emails of the last requests are still being sent after the run (after the
        // response, by design): let them finish, so the next target is measured on a quiet
        // server and not charged with this one's deliveries.
        if (db.exec) {
          const exec = db.exec
          await waitFor(
            'the emails of this run to be delivered',
            async () => ((await exec(`select count(*)::int as n from email_outbox where status = 'sending' or (status = 'pending' and next_attempt_at <= now())`)) as { rows: { n: number }[] }).rows[0].n === 0 || null,
            120_000,
            100,
          )
        } else await new Promise((r) => setTimeout(r, 1500))
      }
    }
    const resetAfter = async (t: Target) => {
      await waitForDeliveries(t)
      if (t.name === 'invite 1, email slow') await setResendDelay(0)()
      if (t.reset && db.exec) {
        for (const s of resetStatements[t.reset]) await db.exec(s)
        if (t.reset === 'revoke') revokeNext = 0
        if (t.reset === 'accept') acceptNext = 0
      }
    }

    log(`N=${n}: warm-up (${opts.warmup} requests per target)`)
    for (const t of targets) {
      await t.before?.()
      await load(appUrl, t, { durationS: 3, max: opts.warmup, connections: 2 }, null, counterPort)
      await resetAfter(t)
    }
    const acc = new Map<string, Accumulated>(
      targets.map((t) => [t.name, { samples: [], requests: 0, seconds: 0, errors: 0, errorDetail: {}, queries: 0, afterResponseQueries: 0, countedRequests: 0, cpu: { server: 0, postgres: 0, emailProvider: 0, loadGenerator: 0 } }]),
    )
    for (let r = 0; r < opts.rounds; r++) {
      // Rotate the order each round, so no target always runs right after the heavy ones.
      const order = targets.map((_, i) => targets[(i + r * 3) % targets.length])
      for (const t of order) {
        await t.before?.()
        const a = acc.get(t.name)!
        const cpuBefore = readCpu(server.pid!, resend.pid!, opts.pglite)
        await load(appUrl, t, { durationS: opts.durationS, max: opts.maxRequests, connections: opts.connections }, a, counterPort)
        await waitForDeliveries(t)
        const cpuAfter = readCpu(server.pid!, resend.pid!, opts.pglite)
        const used = cpuBetween(cpuBefore, cpuAfter)
        for (const k of Object.keys(a.cpu) as (keyof CpuSplit)[]) a.cpu[k] += used[k]
        await resetAfter(t)
        log(`N=${n} round ${r + 1}/${opts.rounds} ${t.name}: ${a.requests} requests so far`)
      }
    }
    const rss = treeRss(server.pid!)

    // Queries per request, counted apart from the load: a few sequential requests per target,
    // each given time for its after-response work; the median of each request's own count.
    const perRequest = new Map<string, { total: number; inResponse: number }>()
    for (const t of targets) {
      await t.before?.()
      const mine: { total: number; queries: number }[] = []
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${appUrl}${t.path}`, { method: t.method, headers: t.headers, body: t.body?.(), redirect: 'manual' })
        await res.text()
        await new Promise((r) => setTimeout(r, t.name.includes('slow') ? 1500 : 400))
        const recent = (await (await fetch(`http://127.0.0.1:${counterPort}/recent`)).json()) as { method: string; url: string; total: number; queries: number }[]
        const last = recent.filter((x) => x.method === t.method).pop()
        if (last) mine.push(last)
      }
      await resetAfter(t)
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
      perRequest.set(t.name, { total: median(mine.map((x) => x.total)), inResponse: median(mine.map((x) => x.queries)) })
    }
    const results: TargetResult[] = targets.map((t) => {
      const a = acc.get(t.name)!
      const sorted = [...a.samples].sort((x, y) => x - y)
      return {
        name: t.name,
        kind: t.kind,
        floor: t.floor,
        path: t.path.replace(/\?.*/, '?…'),
        note: t.note ?? '',
        requests: a.requests,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        rps: a.seconds ? a.requests / a.seconds : 0,
        errors: a.errors,
        errorDetail: a.errorDetail,
        queriesPerRequest: perRequest.get(t.name)?.total ?? NaN,
        afterResponseQueriesPerRequest: (perRequest.get(t.name)?.total ?? NaN) - (perRequest.get(t.name)?.inResponse ?? NaN),
        queriesUnderLoad: a.countedRequests ? (a.queries + a.afterResponseQueries) / a.countedRequests : NaN,
        cpuMsPerRequest: Object.fromEntries(Object.entries(a.cpu).map(([k, ms]) => [k, a.requests ? ms / a.requests : NaN])) as CpuSplit,
        ratio: NaN,
      }
    })
    for (const r of results) {
      const floor = results.find((x) => x.name === r.floor)
      r.ratio = floor ? r.p50 / floor.p50 : 1
    }
    return { n, database: db.label, seedSeconds, rssBytes: rss, targets: results }
  } finally {
    await stopProcess(server)
    await stopProcess(resend)
    await db.drop().catch((e) => log('could not drop the bench database:', e instanceof Error ? e.message : e))
  }
}

// ------------------------------------------------------------------------------------------

async function main() {
  if (opts.pglite) {
    log('--pglite: the server holds the only connection, so the bench cannot reset between runs: pools are consumed once, invites accumulate')
  }
  if (opts.build || !existsSync(path.join(root, '.next/BUILD_ID'))) {
    log('next build')
    const b = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    })
    if (b.status !== 0) {
      log('next build failed')
      process.exit(2)
    }
  }
  const startedAt = new Date()
  const firstLoad: Record<string, FirstLoadJs> = {}
  const runs: RunResult[] = []
  for (const n of opts.sizes) runs.push(await runSize(n, firstLoad))
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`
  const budgets = evaluateBudgets(runs, firstLoad, { pglite: opts.pglite })
  const report = renderReport({ startedAt, machine, opts, runs, firstLoad, budgets })
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(path.join(resultsDir, 'last-run.md'), report)
  writeFileSync(path.join(resultsDir, 'last-run.json'), JSON.stringify({ startedAt, machine, opts, runs, firstLoad, budgets }, null, 2))
  console.log(report)
  const missed = budgets.filter((b) => b.pass === false)
  if (opts.check && missed.length) {
    console.log(`\n--check: ${missed.length} budget(s) missed:`)
    for (const b of missed) console.log(`  - ${b.name}: ${b.actual}`)
    process.exitCode = 1
  }
}

/** Thrown when Ctrl-C ends --hold: the run unwinds through its finally (servers, database) and exits. */
class HoldEnded extends Error {}

/** Registers `drop` until it has run once, so an interrupted run can still drop what it created. */
function dropOnce(drop: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    if (!undropped.delete(once)) return
    await drop()
  }
  undropped.add(once)
  return once
}

async function shutDown(code: number) {
  for (const c of started) await stopProcess(c)
  for (const drop of [...undropped]) await drop().catch((e) => log('could not drop the bench database:', e instanceof Error ? e.message : e))
  process.exit(code)
}

// Ctrl-C during --hold ends the hold (the run stops its servers and drops its database in its
// own finally); at any other time, and on SIGTERM, the run stops here and drops what it created.
// Before, a Ctrl-C during --hold exited before the finally and left its bench_* database behind.
process.on('SIGINT', () => {
  if (endHold) return endHold()
  void shutDown(130)
})
process.on('SIGTERM', () => void shutDown(143))

main().catch(async (err) => {
  if (err instanceof HoldEnded) return shutDown(0)
  console.error(err)
  await shutDown(2)
})

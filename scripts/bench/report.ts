// The results table and the budgets of issue 6.
import type { FirstLoadJs } from './first-load-js'

export interface TargetResult {
  name: string
  kind: 'page' | 'action'
  floor: string | null
  path: string
  note: string
  requests: number
  p50: number
  p99: number
  rps: number
  errors: number
  errorDetail: Record<string, number>
  /** Statements the request caused, BEGIN/COMMIT included, whether before or after its response closed. */
  queriesPerRequest: number
  /** The part of those issued after the response had closed (after(): email delivery; streaming tails). */
  afterResponseQueriesPerRequest: number
  /** Statements per request during the load runs (attributed by async context; approximate). */
  queriesUnderLoad: number
  /** CPU ms per request by process, during the runs and the email deliveries that follow them (10 ms clock ticks, summed over all requests). */
  cpuMsPerRequest: Record<'server' | 'postgres' | 'emailProvider' | 'loadGenerator', number>
  ratio: number
}

export interface RunResult {
  n: number
  database: string
  seedSeconds: number
  rssBytes: number
  targets: TargetResult[]
}

export interface Budget {
  name: string
  limit: string
  actual: string
  /** null: not evaluated in this run (e.g. only one N). */
  pass: boolean | null
}

const KB = 1000
const MB = 1024 * 1024
const FIRST_LOAD_BUDGET = 150 * KB
const RSS_BUDGET = 300 * MB
const MAX_QUERIES = 5

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a')
const target = (run: RunResult, name: string) => run.targets.find((t) => t.name === name)

export function evaluateBudgets(runs: RunResult[], firstLoad: Record<string, FirstLoadJs>, { pglite }: { pglite: boolean }): Budget[] {
  const out: Budget[] = []
  for (const run of runs) {
    const members = target(run, 'Members tab')
    const floor = target(run, 'floor page')
    if (members && floor) {
      out.push({ name: `N=${run.n}: Members tab p50 ≤ 1.5× floor page`, limit: '≤ 1.50×', actual: `${fmt(members.ratio, 2)}× (${fmt(members.p50)} ms vs ${fmt(floor.p50)} ms)`, pass: members.ratio <= 1.5 })
    }
    if (members && run.n === 1000) {
      out.push({ name: `N=${run.n}: Members tab throughput`, limit: '≥ 100 req/s', actual: `${fmt(members.rps)} req/s`, pass: members.rps >= 100 })
    }
    // The query budget is for what a page costs: the GET targets (actions run transactions).
    for (const t of run.targets.filter((x) => x.kind === 'page')) {
      out.push({ name: `N=${run.n}: ${t.name} queries per request`, limit: `≤ ${MAX_QUERIES}`, actual: fmt(t.queriesPerRequest, 0), pass: t.queriesPerRequest <= MAX_QUERIES })
    }
    const noop = target(run, 'no-op action')
    for (const name of ['invite 1', 'invite 1, email slow']) {
      const t = target(run, name)
      if (t && noop) out.push({ name: `N=${run.n}: ${name} p50 ≤ 1.5× no-op action`, limit: '≤ 1.50×', actual: `${fmt(t.ratio, 2)}× (${fmt(t.p50)} ms vs ${fmt(noop.p50)} ms)`, pass: t.ratio <= 1.5 })
    }
    const one = target(run, 'invite 1')
    const fifty = target(run, 'invite 50')
    if (one && fifty) {
      const r = fifty.p50 / one.p50
      out.push({ name: `N=${run.n}: invite 50 p50 ≤ 3× invite 1`, limit: '≤ 3.00×', actual: `${fmt(r, 2)}× (${fmt(fifty.p50)} ms vs ${fmt(one.p50)} ms)`, pass: r <= 3 })
    }
    for (const t of run.targets) {
      if (t.errors > 0) out.push({ name: `N=${run.n}: ${t.name} without errors`, limit: '0', actual: `${t.errors} ${JSON.stringify(t.errorDetail)}`, pass: false })
    }
    out.push({
      name: `N=${run.n}: server RSS after load`,
      limit: `≤ ${RSS_BUDGET / MB} MB`,
      actual: `${fmt(run.rssBytes / MB, 0)} MB`,
      pass: pglite ? null : run.rssBytes <= RSS_BUDGET,
    })
  }
  const small = runs.find((r) => r.n === 1000)
  const large = runs.find((r) => r.n === 10_000)
  if (small && large) {
    for (const t of small.targets) {
      const other = target(large, t.name)
      if (!other) continue
      const same = t.queriesPerRequest === other.queriesPerRequest
      out.push({ name: `${t.name}: queries per request the same at N=1,000 and N=10,000`, limit: 'equal', actual: `${fmt(t.queriesPerRequest, 0)} / ${fmt(other.queriesPerRequest, 0)}`, pass: same })
    }
  } else {
    out.push({ name: 'queries per request the same at N=1,000 and N=10,000', limit: 'equal', actual: 'only one N in this run', pass: null })
  }
  for (const [page, js] of Object.entries(firstLoad)) {
    out.push({ name: `${page} first-load JS`, limit: `≤ ${FIRST_LOAD_BUDGET / KB} KB gzip`, actual: `${fmt(js.gzip / KB)} KB gzip (${js.files.length} files)`, pass: js.gzip <= FIRST_LOAD_BUDGET })
  }
  return out
}

export function renderReport({
  startedAt,
  machine,
  opts,
  runs,
  firstLoad,
  budgets,
}: {
  startedAt: Date
  machine: string
  opts: { rounds: number; durationS: number; maxRequests: number; connections: number }
  runs: RunResult[]
  firstLoad: Record<string, FirstLoadJs>
  budgets: Budget[]
}): string {
  const lines: string[] = []
  lines.push(`# Benchmark, ${startedAt.toISOString()}`, '')
  lines.push(`Machine: ${machine}. Load: autocannon on loopback, ${opts.connections} connections, ${opts.rounds} rounds per target alternating with the others, each run ≤ ${opts.durationS} s and ≤ ${opts.maxRequests} requests.`, '')
  for (const run of runs) {
    lines.push(`## N = ${run.n.toLocaleString('en')} (${run.database}; seeded in ${fmt(run.seedSeconds)} s; server RSS after load ${fmt(run.rssBytes / MB, 0)} MB)`, '')
    lines.push('| target | p50 ms | p99 ms | req/s | requests | errors | p50 / floor | queries/req | of which after response | queries/req under load |')
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (const t of run.targets) {
      const ratio = t.floor ? `${fmt(t.ratio, 2)}× ${t.floor}` : 'floor'
      lines.push(`| ${t.name} | ${fmt(t.p50)} | ${fmt(t.p99)} | ${fmt(t.rps)} | ${t.requests} | ${t.errors} | ${ratio} | ${fmt(t.queriesPerRequest, 0)} | ${fmt(t.afterResponseQueriesPerRequest, 0)} | ${fmt(t.queriesUnderLoad, 2)} |`)
    }
    lines.push('')
    lines.push('CPU per request, by process (ms; the 2 cores are shared by all four):', '')
    lines.push('| target | app server | PostgreSQL | fake email provider | load generator | total |')
    lines.push('|---|---:|---:|---:|---:|---:|')
    for (const t of run.targets) {
      const c = t.cpuMsPerRequest
      lines.push(`| ${t.name} | ${fmt(c.server, 2)} | ${fmt(c.postgres, 2)} | ${fmt(c.emailProvider, 2)} | ${fmt(c.loadGenerator, 2)} | ${fmt(c.server + c.postgres + c.emailProvider + c.loadGenerator, 2)} |`)
    }
    lines.push('')
  }
  lines.push('Targets:', '')
  for (const t of runs[0]?.targets ?? []) lines.push(`- **${t.name}**: ${t.kind === 'page' ? 'GET' : 'POST'} \`${t.path}\`${t.note ? `: ${t.note}` : ''}`)
  lines.push('')
  lines.push('## First-load JavaScript (gzip, level 9)', '')
  for (const [page, js] of Object.entries(firstLoad)) {
    lines.push(`- **${page}**: ${fmt(js.gzip / KB)} KB gzip (${fmt(js.raw / KB)} KB raw) in ${js.files.length} files`)
  }
  lines.push('')
  lines.push('## Budgets (issue 6)', '')
  lines.push('| budget | limit | measured | result |', '|---|---|---|---|')
  for (const b of budgets) lines.push(`| ${b.name} | ${b.limit} | ${b.actual} | ${b.pass === null ? 'not evaluated' : b.pass ? 'pass' : '**FAIL**'} |`)
  lines.push('')
  return lines.join('\n')
}

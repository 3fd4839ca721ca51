// One N: its database, its servers, two signed-in users, then every target warmed up, loaded in
// alternating rounds, and counted (statements per request, CPU per process, RSS after load).
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { root, stopProcess } from '../lib/processes'
import { cpuBetween, readCpu, treeRss, type CpuSplit } from './cpu'
import { createBenchDb } from './database'
import { measureFirstLoadJs, type FirstLoadJs } from './first-load-js'
import { holdUntilInterrupted } from './hold'
import { decodeHtml, readActionIds, signIn } from './http'
import { load, percentile, type Accumulated } from './load'
import { log, opts, resultsDir } from './options'
import type { RunResult, TargetResult } from './report'
import { BIG_SLUG, INVITEE_EMAIL, OWNER_EMAIL, SMALL_SLUG } from './seed'
import { startBenchServers } from './servers'
import { benchTargets } from './targets'

export async function runSize(n: number, firstLoad: Record<string, FirstLoadJs> | null): Promise<RunResult> {
  const acceptPool = opts.rounds * opts.maxRequests + opts.warmup + 100
  log(`N=${n}: seeding (${opts.pglite ? 'PGlite' : 'PostgreSQL'})`)
  const t0 = Date.now()
  const db = await createBenchDb(n, acceptPool)
  const seedSeconds = (Date.now() - t0) / 1000
  log(`N=${n}: seeded in ${seedSeconds.toFixed(1)} s`)
  const { appUrl, fakeResendUrl, counterPort, server, resend } = await startBenchServers(n, db.env)
  try {
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
      await holdUntilInterrupted()
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

    const { targets, resetAfter, waitForDeliveries } = benchTargets({ db, appUrl, fakeResendUrl, ownerCookie, inviteeCookie, membersPath, laterPath, acceptPool, action })

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


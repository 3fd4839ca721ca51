// `npm run bench [-- --check] [--no-build] [--pglite] [--n=1000] [--rounds=2] [--duration=4] [--max=400] [--connections=4]`
//
// Builds the app, and for each N (1,000 and 10,000 unless --n is given) measures every target on
// its own database and server (run-size.ts), then writes bench-results/last-run.md and
// last-run.json. --check exits 1 when a budget of issue 6 is missed. See scripts/bench/README.md.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import path from 'node:path'
import { root, stopAll } from '../lib/processes'
import { dropAll } from './database'
import type { FirstLoadJs } from './first-load-js'
import { endHold, HoldEnded } from './hold'
import { log, opts, resultsDir } from './options'
import { evaluateBudgets, renderReport, type RunResult } from './report'
import { runSize } from './run-size'

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

async function shutDown(code: number) {
  await stopAll()
  await dropAll((e) => log('could not drop the bench database:', e instanceof Error ? e.message : e))
  process.exit(code)
}

// Ctrl-C during --hold ends the hold (the run stops its servers and drops its database in its
// own finally); at any other time, and on SIGTERM, the run stops here and drops what it created.
// Before, a Ctrl-C during --hold exited before the finally and left its bench_* database behind.
process.on('SIGINT', () => {
  if (endHold()) return
  void shutDown(130)
})
process.on('SIGTERM', () => void shutDown(143))

main().catch(async (err) => {
  if (err instanceof HoldEnded) return shutDown(0)
  console.error(err)
  await shutDown(2)
})

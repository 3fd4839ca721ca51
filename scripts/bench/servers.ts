// The app under test: `next start` in production mode with the query counter preloaded, and the
// fake Resend server, on free loopback ports.
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { freePort, root, startProcess, waitFor } from '../lib/processes'
import { readCounters } from './load'
import { log, opts, resultsDir } from './options'

/** The flags `npm start` gives Node before `next start` (package.json), so the bench runs what production runs. */
function startNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start
  const flags = start.match(/^node ((?:--\S+ )*)node_modules\/next\/dist\/bin\/next start/)?.[1]
  return flags ? flags.trim().split(' ') : []
}

export async function startBenchServers(n: number, dbEnv: Record<string, string>) {
  const appPort = await freePort()
  const resendPort = await freePort()
  const counterPort = await freePort()
  const appUrl = `http://127.0.0.1:${appPort}`
  const fakeResendUrl = `http://127.0.0.1:${resendPort}`
  mkdirSync(resultsDir, { recursive: true })
  const resend = startProcess(path.join(root, 'node_modules/.bin/tsx'), ['test/fake-resend.ts', '--port', String(resendPort)], { output: { file: path.join(resultsDir, `fake-resend-${n}.log`) } })
  const server = startProcess(
    process.execPath,
    // The Node flags of `npm start` (the heap limits production runs with), and --cpu-prof, which
    // is refused in NODE_OPTIONS.
    [...startNodeFlags(), ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(resultsDir, 'profiles')}`] : []), path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', String(appPort), '-H', '127.0.0.1'],
    {
      env: {
        NODE_ENV: 'production',
        APP_URL: appUrl,
        AUTH_SECRET: 'bench-secret-bench-secret-bench-secret-bench',
        RESEND_API_KEY: 're_bench_key',
        RESEND_BASE_URL: fakeResendUrl,
        EMAIL_FROM: 'Cloud Dashboard <no-reply@example.com>',
        NEXT_TELEMETRY_DISABLED: '1',
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(root, 'scripts/bench/query-counter-hook.cjs')}`.trim(),
        BENCH_COUNTER_PORT: String(counterPort),
        ...dbEnv,
      },
      output: { file: path.join(resultsDir, `server-${n}.log`) },
    },
  )
  await waitFor('the fake Resend server', async () => (await fetch(`${fakeResendUrl}/__emails`)).ok, 30_000)
  await waitFor('next start', async () => (await fetch(`${appUrl}/login`)).status === 200, 120_000, 500)
  const counters = await readCounters(counterPort)
  log(`N=${n}: server up; query counter patched: ${counters.patched.join(', ') || 'nothing'}`)
  return { appUrl, fakeResendUrl, counterPort, server, resend }
}

#!/usr/bin/env node
// `npm test`: every suite, in order: Vitest (unit + data layer), a production
// build, then Playwright in Chromium against it. Ends with one line
// "N passed, N failed" adding up every suite. Never skips a suite.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'

const root = path.resolve(import.meta.dirname, '..')
const resultsDir = path.join(root, 'test-results')
const args = new Set(process.argv.slice(2))
const e2eOnly = args.has('--e2e-only')
const unitOnly = args.has('--unit-only')

function run(cmd, cmdArgs, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

async function findBrowser() {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium'
  try {
    const { chromium } = await import('@playwright/test')
    const own = chromium.executablePath()
    if (own && existsSync(own)) return own
  } catch {}
  return null
}

/**
 * Every token the browser suite was emailed (invitation links, sign-in links)
 * must be absent from the server's logs. Counted as one check.
 */
function scanLogsForTokens(serverLog, emailLog) {
  if (!existsSync(serverLog) || !existsSync(emailLog)) {
    console.error('token scan: the server log or the email record is missing')
    return { ok: false }
  }
  const tokens = new Set()
  for (const line of readFileSync(emailLog, 'utf8').split('\n').filter(Boolean)) {
    const { text } = JSON.parse(line)
    for (const m of text.matchAll(/\/invitations\/([A-Za-z0-9_-]{43})/g)) tokens.add(m[1])
    for (const m of text.matchAll(/[?&]url=([^\s]+)/g)) {
      const token = new URL(decodeURIComponent(m[1])).searchParams.get('token')
      if (token) tokens.add(token)
    }
  }
  const log = readFileSync(serverLog, 'utf8')
  const leaked = [...tokens].filter((t) => log.includes(t))
  console.log(`token scan: ${tokens.size} tokens issued during the browser suite, ${leaked.length} found in ${log.split('\n').length} lines of server log`)
  return { ok: tokens.size > 0 && leaked.length === 0 }
}

const totals = { passed: 0, failed: 0 }
let exitCode = 0
mkdirSync(resultsDir, { recursive: true })

const browser = unitOnly ? 'none' : await findBrowser()
if (!browser) {
  console.error(
    '\nNo Chromium found for the browser tests, and they are part of `npm test`.\n' +
      'Install one: `apt-get install -y chromium` (Debian/Ubuntu, gives /usr/bin/chromium),\n' +
      'or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium binary.\n',
  )
  console.log('0 passed, 1 failed')
  process.exit(1)
}

if (!e2eOnly) {
  // Type errors and lint errors anywhere (tests included) fail the run, each counted as one check.
  for (const [name, cmd] of [['tsc --noEmit', ['tsc', '--noEmit']], ['eslint', ['eslint', '.']]]) {
    if ((await run('npx', cmd)) === 0) totals.passed += 1
    else {
      console.error(`${name} found errors.`)
      totals.failed += 1
      exitCode = 1
    }
  }
  // A high or critical advisory in a runtime dependency fails the run, counted as one check
  // (an unreachable audit endpoint passes with a notice unless AUDIT_REQUIRED=1).
  if ((await run('node', ['scripts/audit.mjs'])) === 0) totals.passed += 1
  else {
    console.error('npm run audit failed (see above).')
    totals.failed += 1
    exitCode = 1
  }
  const out = path.join(resultsDir, 'vitest.json')
  rmSync(out, { force: true })
  const code = await run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`])
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'))
    totals.passed += r.numPassedTests
    totals.failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0)
    if (r.numTotalTests === 0) totals.failed += 1
  } else {
    totals.failed += 1
  }
  if (code !== 0) exitCode = 1
}

if (!unitOnly) {
  const buildCode = process.env.SKIP_BUILD ? 0 : await run('npx', ['next', 'build'], { NEXT_TELEMETRY_DISABLED: '1' })
  if (buildCode !== 0) {
    console.error('next build failed: the browser tests cannot run.')
    totals.failed += 1
    exitCode = 1
  } else {
    const env = { CHROMIUM_PATH: browser, E2E_PORT: String(await freePort()), FAKE_RESEND_PORT: String(await freePort()) }
    let dropDb = async () => {}
    if (process.env.DATABASE_URL) {
      const name = `e2e_${randomBytes(6).toString('hex')}`
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
      await admin.connect()
      await admin.query(`create database ${name}`)
      await admin.end()
      const url = new URL(process.env.DATABASE_URL)
      url.pathname = `/${name}`
      env.E2E_DATABASE_URL = url.toString()
      dropDb = async () => {
        const c = new pg.Client({ connectionString: process.env.DATABASE_URL })
        await c.connect()
        await c.query(`drop database if exists ${name} with (force)`)
        await c.end()
      }
    } else {
      env.PGLITE_DIR = mkdtempSync(path.join(tmpdir(), 'e2e-pglite-'))
    }
    const out = path.join(resultsDir, 'playwright.json')
    rmSync(out, { force: true })
    env.E2E_SERVER_LOG = path.join(resultsDir, 'e2e-server.log')
    env.E2E_EMAIL_LOG = path.join(resultsDir, 'e2e-emails.jsonl')
    rmSync(env.E2E_SERVER_LOG, { force: true })
    rmSync(env.E2E_EMAIL_LOG, { force: true })
    const code = await run('npx', ['playwright', 'test'], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: out })
    const scan = scanLogsForTokens(env.E2E_SERVER_LOG, env.E2E_EMAIL_LOG)
    if (scan.ok) totals.passed += 1
    else {
      totals.failed += 1
      exitCode = 1
    }
    await dropDb().catch((e) => console.error('could not drop the e2e database:', e.message))
    if (env.PGLITE_DIR) rmSync(env.PGLITE_DIR, { recursive: true, force: true })
    if (existsSync(out)) {
      const s = JSON.parse(readFileSync(out, 'utf8')).stats
      totals.passed += s.expected + (s.flaky ?? 0)
      totals.failed += s.unexpected + (s.skipped ?? 0)
      if (s.expected + s.unexpected + (s.flaky ?? 0) === 0) totals.failed += 1
    } else {
      totals.failed += 1
    }
    if (code !== 0) exitCode = 1
  }
}

// On Postgres only (PGlite is one process's database): the browser suite again, against two
// instances behind a round-robin proxy (a page from one, its action to the other).
if (!unitOnly && process.env.DATABASE_URL && exitCode === 0) {
  const summary = path.join(resultsDir, 'two-instances-summary.json')
  rmSync(summary, { force: true })
  const code = await run('npx', ['tsx', 'scripts/two-instances.ts'], { TWO_INSTANCES_SUMMARY: summary, CHROMIUM_PATH: browser })
  if (existsSync(summary)) {
    const r = JSON.parse(readFileSync(summary, 'utf8'))
    totals.passed += r.passed
    totals.failed += r.failed
  } else totals.failed += 1
  if (code !== 0) exitCode = 1
} else if (!unitOnly && !process.env.DATABASE_URL) {
  console.log('\nThe two-instance run needs Postgres (set DATABASE_URL); on PGlite the suite above ran on one instance.')
}

if (totals.failed > 0) exitCode = 1
console.log(`\n${totals.passed} passed, ${totals.failed} failed`)
process.exit(exitCode)

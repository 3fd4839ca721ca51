#!/usr/bin/env node
// `npm run test:two-instances` (issue 5, item 4): the browser suite against TWO
// `next start` instances of one build on one Postgres, behind a round-robin
// proxy, so a page served by one instance posts its server action to the
// other. Both start at once (migrations must apply once), share the
// server-actions key, and the rate limits must hold across them. Needs
// Postgres (DATABASE_URL, default the local server); prints "N passed, N failed".
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import http from 'node:http'
import { createServer } from 'node:net'
import path from 'node:path'
import pg from 'pg'

const root = path.resolve(import.meta.dirname, '..')
const baseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const children = []

const freePort = () =>
  new Promise((resolve) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })

function start(cmd, args, env, label) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  child.stdout.on('data', (d) => process.stdout.write(`[${label}] ${d}`))
  child.stderr.on('data', (d) => process.stderr.write(`[${label}] ${d}`))
  children.push(child)
  return child
}

async function waitFor(url, ms = 120_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    try {
      const res = await fetch(url)
      if (res.status < 500) return
    } catch {}
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`${url} did not come up`)
}

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
    child.on('exit', (code) => resolve(code ?? 1))
  })
}

const dbName = `two_${randomBytes(5).toString('hex')}`
const admin = new pg.Client({ connectionString: baseUrl })
await admin.connect()
await admin.query(`create database ${dbName}`)
await admin.end()
const dbUrl = new URL(baseUrl)
dbUrl.pathname = `/${dbName}`

let passed = 0
let failed = 0
let proxy
try {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) {
    if ((await run('npx', ['next', 'build'])) !== 0) throw new Error('next build failed')
  }
  const [portA, portB, proxyPort, fakePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
  const appUrl = `http://localhost:${proxyPort}`
  start('npx', ['tsx', 'test/fake-resend.ts', '--port', String(fakePort)], {}, 'fake-resend')
  const shared = {
    NODE_ENV: 'production',
    APP_URL: appUrl,
    DATABASE_URL: dbUrl.toString(),
    AUTH_SECRET: 'two-instances-secret-two-instances-secret',
    RESEND_API_KEY: 're_two_instances',
    RESEND_BASE_URL: `http://127.0.0.1:${fakePort}`,
    EMAIL_FROM: 'Cloud Dashboard <no-reply@example.com>',
    INVITATION_RESEND_COOLDOWN_SECONDS: '2',
    NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    NEXT_TELEMETRY_DISABLED: '1',
  }
  // Both at once, on an empty database: the advisory lock must serialize the migrations.
  start('npx', ['next', 'start', '-p', String(portA)], shared, 'app-A')
  start('npx', ['next', 'start', '-p', String(portB)], shared, 'app-B')
  await Promise.all([waitFor(`http://127.0.0.1:${portA}/login`), waitFor(`http://127.0.0.1:${portB}/login`)])

  // The load balancer: strictly alternating, so consecutive requests hit different instances.
  const counts = { A: 0, B: 0 }
  let next = 0
  proxy = http.createServer((req, res) => {
    const target = next++ % 2 === 0 ? ['A', portA] : ['B', portB]
    counts[target[0]]++
    const upstream = http.request({ host: '127.0.0.1', port: target[1], path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    upstream.on('error', () => {
      res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })
  await new Promise((r) => proxy.listen(proxyPort, '127.0.0.1', r))

  const check = (ok, what) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
    ok ? passed++ : failed++
  }
  const c = new pg.Client({ connectionString: dbUrl.toString() })
  await c.connect()
  const applied = (await c.query('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0].n
  await c.end()
  const files = readdirSync(path.join(root, 'db', 'migrations')).filter((f) => f.endsWith('.sql')).length
  check(applied === files, `two instances starting together applied ${applied} migration(s) once each (${files} files)`)

  const out = path.join(root, 'test-results', 'two-instances.json')
  await run('npx', ['playwright', 'test', 'e2e/skeleton.spec.ts', 'e2e/invitations.spec.ts'], {
    E2E_EXTERNAL_URL: appUrl,
    FAKE_RESEND_URL: `http://127.0.0.1:${fakePort}`,
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
  })
  const { stats } = JSON.parse((await import('node:fs')).readFileSync(out, 'utf8'))
  passed += stats.expected
  failed += stats.unexpected + stats.flaky + stats.skipped
  check(counts.A > 50 && counts.B > 50, `requests alternated between the instances (A: ${counts.A}, B: ${counts.B})`)
} catch (error) {
  console.error(error)
  failed++
} finally {
  proxy?.close()
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {}
  }
  await new Promise((r) => setTimeout(r, 1500))
  const c = new pg.Client({ connectionString: baseUrl })
  await c.connect()
  await c.query(`drop database if exists ${dbName} with (force)`)
  await c.end()
}
if (process.env.TWO_INSTANCES_SUMMARY) (await import('node:fs')).writeFileSync(process.env.TWO_INSTANCES_SUMMARY, JSON.stringify({ passed, failed }))
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)

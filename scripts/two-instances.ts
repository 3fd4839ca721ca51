// `npm run test:two-instances` (issue 5, item 4): the browser suite against TWO
// `next start` instances of one build on one Postgres, behind a round-robin
// proxy, so a page served by one instance posts its server action to the
// other. Both start at once (migrations must apply once), share the
// server-actions key, and the rate limits must hold across them. Needs
// Postgres (DATABASE_URL, default the local server); prints "N passed, N failed".
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import pg from 'pg'
import { freePort, root, runToExit, startProcess, stopAll, waitFor } from './lib/processes'

// A script outside the app: it makes its own database on the server, so it reads DATABASE_URL itself.
const baseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const isUp = (url: string) => waitFor(url, async () => (await fetch(url)).status < 500, 120_000, 300)

const dbName = `two_${randomBytes(5).toString('hex')}`
const admin = new pg.Client({ connectionString: baseUrl })
await admin.connect()
await admin.query(`create database ${dbName}`)
await admin.end()
const dbUrl = new URL(baseUrl)
dbUrl.pathname = `/${dbName}`

let passed = 0
let failed = 0
let proxy: http.Server | undefined
try {
  if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) {
    if ((await runToExit('npx', ['next', 'build'])) !== 0) throw new Error('next build failed')
  }
  const [portA, portB, proxyPort, fakePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
  const appUrl = `http://localhost:${proxyPort}`
  startProcess('npx', ['tsx', 'test/fake-resend.ts', '--port', String(fakePort)], { output: { label: 'fake-resend' } })
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
  startProcess('npx', ['next', 'start', '-p', String(portA)], { env: shared, output: { label: 'app-A' } })
  startProcess('npx', ['next', 'start', '-p', String(portB)], { env: shared, output: { label: 'app-B' } })
  await Promise.all([isUp(`http://127.0.0.1:${portA}/login`), isUp(`http://127.0.0.1:${portB}/login`)])

  // The load balancer: strictly alternating, so consecutive requests hit different instances.
  const counts = { A: 0, B: 0 }
  let next = 0
  proxy = http.createServer((req, res) => {
    const [name, port] = next++ % 2 === 0 ? (['A', portA] as const) : (['B', portB] as const)
    counts[name]++
    const upstream = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    upstream.on('error', () => {
      res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })
  await new Promise<void>((r) => proxy!.listen(proxyPort, '127.0.0.1', r))

  const check = (ok: boolean, what: string) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
    if (ok) passed++
    else failed++
  }
  const c = new pg.Client({ connectionString: dbUrl.toString() })
  await c.connect()
  const applied = (await c.query('select count(*)::int as n from drizzle.__drizzle_migrations')).rows[0].n
  await c.end()
  const files = readdirSync(path.join(root, 'db', 'migrations')).filter((f) => f.endsWith('.sql')).length
  check(applied === files, `two instances starting together applied ${applied} migration(s) once each (${files} files)`)

  const out = path.join(root, 'test-results', 'two-instances.json')
  await runToExit('npx', ['playwright', 'test', 'e2e/skeleton.spec.ts', 'e2e/invitations.spec.ts'], {
    E2E_EXTERNAL_URL: appUrl,
    FAKE_RESEND_URL: `http://127.0.0.1:${fakePort}`,
    PLAYWRIGHT_JSON_OUTPUT_NAME: out,
  })
  const { stats } = JSON.parse(readFileSync(out, 'utf8')) as { stats: Record<'expected' | 'unexpected' | 'flaky' | 'skipped', number> }
  passed += stats.expected
  failed += stats.unexpected + stats.flaky + stats.skipped
  check(counts.A > 50 && counts.B > 50, `requests alternated between the instances (A: ${counts.A}, B: ${counts.B})`)
} catch (error) {
  console.error(error)
  failed++
} finally {
  proxy?.close()
  await stopAll()
  const c = new pg.Client({ connectionString: baseUrl })
  await c.connect()
  await c.query(`drop database if exists ${dbName} with (force)`)
  await c.end()
}
if (process.env.TWO_INSTANCES_SUMMARY) writeFileSync(process.env.TWO_INSTANCES_SUMMARY, JSON.stringify({ passed, failed }))
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)

// Issue "reliability and security", item 10: `npm run audit` fails on a high or critical advisory in
// a runtime dependency, passes on moderate and below, and says on one line when the audit endpoint
// could not be used (this machine's registry answers it with 405).
//
// The reports below are what npm 11.19.1 printed for `npm audit --omit=dev --json` on this
// project's lockfile, against a stub audit endpoint returning made-up advisories ("(fixture)").
// The stub 404s the packuments, hence npm's `range: ""` and `fixAvailable: false`.
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain Node ESM script and allowJs is off: typed by the cast below.
import * as audit from './audit.mjs'

type Verdict = { kind: 'pass' | 'unavailable' | 'error'; message: string } | { kind: 'fail'; message: string; advisories: { name: string; severity: string; url: string }[]; packages: string[] }
const { verdict, exitCodeOf } = audit as {
  verdict: (stdout: string, exitCode: number, stderr: string) => Verdict
  exitCodeOf: (v: Verdict, env: Record<string, string | undefined>) => 0 | 1
}

const dependencies = { prod: 103, dev: 566, optional: 185, peer: 0, peerOptional: 0, total: 706 }
const counts = (c: Partial<Record<'info' | 'low' | 'moderate' | 'high' | 'critical', number>>) => {
  const all = { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...c }
  return { ...all, total: all.info + all.low + all.moderate + all.high + all.critical }
}
const pkg = (name: string, severity: string, isDirect: boolean, via: unknown[], effects: string[]) => ({
  name, severity, isDirect, via, effects, range: '', nodes: [`node_modules/${name}`], fixAvailable: false,
})

const nextCritical = {
  source: 1100001, name: 'next', dependency: 'next', title: 'Authorization bypass in middleware (fixture)',
  url: 'https://github.com/advisories/GHSA-fx01-crit-0001', severity: 'critical', cwe: ['CWE-285'],
  cvss: { score: 9.1, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' }, range: '>=16.0.0 <16.4.7',
}
const joseHigh = {
  source: 1100002, name: 'jose', dependency: 'jose', title: 'Resource exhaustion via crafted JWE (fixture)',
  url: 'https://github.com/advisories/GHSA-fx02-high-0002', severity: 'high', cwe: ['CWE-400'],
  cvss: { score: 7.5, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }, range: '<6.2.19',
}
const postcssModerate = {
  source: 1100003, name: 'postcss', dependency: 'postcss', title: 'Line return parsing error (fixture)',
  url: 'https://github.com/advisories/GHSA-fx03-mod-0003', severity: 'moderate', cwe: ['CWE-144'],
  cvss: { score: 5.3, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N' }, range: '<8.5.24',
}
const zodLow = {
  source: 1100004, name: 'zod', dependency: 'zod', title: 'Inefficient regular expression in email check (fixture)',
  url: 'https://github.com/advisories/GHSA-fx04-low-0004', severity: 'low', cwe: ['CWE-1333'],
  cvss: { score: 3.7, vectorString: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L' }, range: '<4.6.8',
}

const reports = {
  // An advisory on jose: npm marks every runtime package above it "high" too, with the name as `via`.
  high: {
    auditReportVersion: 2,
    vulnerabilities: {
      '@auth/core': pkg('@auth/core', 'high', false, ['jose'], ['@auth/drizzle-adapter', 'next-auth']),
      '@auth/drizzle-adapter': pkg('@auth/drizzle-adapter', 'high', true, ['@auth/core'], []),
      jose: pkg('jose', 'high', false, [joseHigh], ['@auth/core']),
      'next-auth': pkg('next-auth', 'high', true, ['@auth/core'], []),
    },
    metadata: { vulnerabilities: counts({ high: 4 }), dependencies },
  },
  critical: {
    auditReportVersion: 2,
    vulnerabilities: {
      next: pkg('next', 'critical', true, [nextCritical], ['next-auth']),
      'next-auth': pkg('next-auth', 'critical', true, ['next'], []),
    },
    metadata: { vulnerabilities: counts({ critical: 2 }), dependencies },
  },
  mixed: {
    auditReportVersion: 2,
    vulnerabilities: {
      '@auth/core': pkg('@auth/core', 'high', false, ['jose'], ['@auth/drizzle-adapter', 'next-auth']),
      '@auth/drizzle-adapter': pkg('@auth/drizzle-adapter', 'high', true, ['@auth/core'], []),
      jose: pkg('jose', 'high', false, [joseHigh], ['@auth/core']),
      next: pkg('next', 'critical', true, [nextCritical, 'postcss'], ['next-auth']),
      'next-auth': pkg('next-auth', 'critical', true, ['@auth/core', 'next'], []),
      postcss: pkg('postcss', 'moderate', false, [postcssModerate], ['next']),
    },
    metadata: { vulnerabilities: counts({ moderate: 1, high: 3, critical: 2 }), dependencies },
  },
  moderateAndLow: {
    auditReportVersion: 2,
    vulnerabilities: {
      next: pkg('next', 'moderate', true, ['postcss'], ['next-auth']),
      'next-auth': pkg('next-auth', 'moderate', true, ['next'], []),
      postcss: pkg('postcss', 'moderate', false, [postcssModerate], ['next']),
      zod: pkg('zod', 'low', true, [zodLow], []),
    },
    metadata: { vulnerabilities: counts({ low: 1, moderate: 3 }), dependencies },
  },
  clean: { auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: counts({}), dependencies } },
}

const json = (value: unknown) => JSON.stringify(value, null, 2)
const completeLog = 'npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-26T09_17_05_655Z-debug-0.log\n'

// What npm 11.19.1 printed here against registry.npmjs.org (the endpoint allows only GET and HEAD).
const endpoint405 = {
  stdout: json({
    message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    method: 'POST',
    uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    headers: { allow: ['GET,HEAD'], date: ['Thu, 26 Nov 2026 09:17:06 GMT'], 'content-length': ['0'], 'x-fetch-attempts': ['1'] },
    statusCode: 405,
    body: '',
    error: { summary: '', detail: '' },
  }),
  stderr: `npm warn audit 405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk\nnpm error audit endpoint returned an error\n${completeLog}`,
}
// With the registry on a closed port.
const connectionRefused = {
  stdout: json({
    message: 'request to http://127.0.0.1:1/-/npm/v1/security/advisories/bulk failed, reason: connect ECONNREFUSED 127.0.0.1:1',
    error: { summary: '', detail: '' },
  }),
  stderr: `npm warn audit request to http://127.0.0.1:1/-/npm/v1/security/advisories/bulk failed, reason: connect ECONNREFUSED 127.0.0.1:1\nnpm error audit endpoint returned an error\n${completeLog}`,
}
// With a proxy answering an HTML page.
const htmlAnswer = {
  stdout: json({
    message: 'invalid json response body at http://127.0.0.1:4875/-/npm/v1/security/advisories/bulk reason: Unexpected token \'<\', "<html>capt"... is not valid JSON',
    error: { summary: '', detail: '' },
  }),
  stderr: 'npm warn audit invalid json response body at http://127.0.0.1:4875/-/npm/v1/security/advisories/bulk reason: Unexpected token \'<\', "<html>capt"... is not valid JSON\nnpm error audit endpoint returned an error\n',
}
// In a project without a lockfile: our fault, not the registry's.
const noLockfile = {
  stdout: json({
    error: {
      code: 'ENOLOCK',
      summary: 'This command requires an existing lockfile.',
      detail: 'Try creating one first with: npm i --package-lock-only\nOriginal error: loadVirtual requires existing shrinkwrap file',
    },
  }),
  stderr: 'npm error code ENOLOCK\nnpm error audit This command requires an existing lockfile.\n',
}

describe('verdict', () => {
  it('fails on a high advisory, naming it and the runtime packages it reaches', () => {
    const v = verdict(json(reports.high), 1, '')
    expect(v.kind).toBe('fail')
    if (v.kind !== 'fail') return
    expect(v.advisories.map((a) => [a.severity, a.name, a.url])).toEqual([['high', 'jose', joseHigh.url]])
    expect(v.packages).toEqual(['@auth/core', '@auth/drizzle-adapter', 'jose', 'next-auth'])
    expect(v.message).toContain('Resource exhaustion via crafted JWE (fixture)')
    expect(exitCodeOf(v, {})).toBe(1)
  })

  it('fails on a critical advisory', () => {
    const v = verdict(json(reports.critical), 1, '')
    expect(v.kind).toBe('fail')
    if (v.kind !== 'fail') return
    expect(v.advisories.map((a) => a.url)).toEqual([nextCritical.url])
    expect(exitCodeOf(v, {})).toBe(1)
  })

  it('lists each high or critical advisory once, critical first, and leaves the moderate one out', () => {
    const v = verdict(json(reports.mixed), 1, '')
    expect(v.kind).toBe('fail')
    if (v.kind !== 'fail') return
    expect(v.advisories.map((a) => a.name)).toEqual(['next', 'jose'])
    expect(v.message).not.toContain('postcss <8.5.24')
  })

  it('passes on moderate and low advisories (npm itself exits 1 for them), counting them', () => {
    const v = verdict(json(reports.moderateAndLow), 1, '')
    expect(v).toEqual({ kind: 'pass', message: 'npm audit: no high or critical advisories in runtime dependencies (3 moderate, 1 low).' })
    expect(exitCodeOf(v, {})).toBe(0)
  })

  it('passes a clean report', () => {
    const v = verdict(json(reports.clean), 0, '')
    expect(v.kind).toBe('pass')
    expect(exitCodeOf(v, {})).toBe(0)
  })

  it('fails when the counts say high even if no entry is marked so', () => {
    const report = { ...reports.moderateAndLow, metadata: { vulnerabilities: counts({ moderate: 3, high: 1 }), dependencies } }
    expect(verdict(json(report), 1, '').kind).toBe('fail')
  })

  it.each([
    ['the endpoint answers 405', endpoint405, '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk'],
    ['the connection is refused', connectionRefused, 'ECONNREFUSED 127.0.0.1:1'],
    ['the endpoint answers HTML', htmlAnswer, 'invalid json response body'],
  ])('is "unavailable" when %s, on one line saying why', (_label, out, reason) => {
    const v = verdict(out.stdout, 1, out.stderr)
    expect(v.kind).toBe('unavailable')
    expect(v.message).toMatch(/^npm audit could not run: /)
    expect(v.message).toContain(reason)
    expect(v.message).not.toContain('\n')
  })

  it('is "unavailable" when npm prints no JSON, with the reason from stderr', () => {
    const v = verdict('', 1, 'npm audit did not finish within 120 s')
    expect(v).toEqual({ kind: 'unavailable', message: 'npm audit could not run: npm audit did not finish within 120 s.' })
    expect(verdict('', 1, '').message).toBe('npm audit could not run: npm printed no JSON (exit code 1).')
  })

  it('passes an unavailable audit unless AUDIT_REQUIRED=1', () => {
    const v = verdict(endpoint405.stdout, 1, endpoint405.stderr)
    expect(exitCodeOf(v, {})).toBe(0)
    expect(exitCodeOf(v, { AUDIT_REQUIRED: '0' })).toBe(0)
    expect(exitCodeOf(v, { AUDIT_REQUIRED: '1' })).toBe(1)
  })

  it.each([
    ['no lockfile', noLockfile.stdout, 'ENOLOCK: This command requires an existing lockfile.'],
    ['an audit report in another format', json({ auditReportVersion: 1, advisories: {}, metadata: {} }), 'does not recognise'],
  ])('fails, rather than passes, on %s', (_label, stdout, text) => {
    const v = verdict(stdout, 1, '')
    expect(v.kind).toBe('error')
    expect(v.message).toContain(text)
    expect(exitCodeOf(v, {})).toBe(1)
  })
})

// The script itself, run as `npm run audit` runs it, against a stub registry on loopback.
describe('scripts/audit.mjs', () => {
  let server: Server | undefined
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

  async function stubRegistry(answer: (res: import('node:http').ServerResponse) => void): Promise<string> {
    server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        if (req.method === 'POST' && req.url?.startsWith('/-/npm/v1/security/advisories/bulk')) answer(res)
        else res.writeHead(404).end()
      })
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  }

  function runScript(registry: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(import.meta.dirname, 'audit.mjs')], {
        env: { ...process.env, npm_config_registry: registry, npm_config_offline: 'true', AUDIT_REQUIRED: '', ...env },
      })
      let output = ''
      child.stdout.on('data', (d) => (output += d))
      child.stderr.on('data', (d) => (output += d))
      child.on('close', (code) => resolve({ code, output }))
    })
  }

  it('exits 0 with one line when the endpoint answers 405, and 1 with AUDIT_REQUIRED=1', async () => {
    const registry = await stubRegistry((res) => res.writeHead(405, { allow: 'GET,HEAD' }).end())
    const lenient = await runScript(registry)
    expect(lenient.code).toBe(0)
    expect(lenient.output.trim().split('\n')).toHaveLength(1)
    expect(lenient.output).toContain(`npm audit could not run: the registry's audit endpoint failed (405 Method Not Allowed - POST ${registry}-/npm/v1/security/advisories/bulk).`)
    const strict = await runScript(registry, { AUDIT_REQUIRED: '1' })
    expect(strict.code).toBe(1)
  })

  it('exits 1 on a critical advisory for a runtime dependency (even with npm offline mode set in the environment)', async () => {
    const bulk = { next: [{ id: 1100001, url: nextCritical.url, title: nextCritical.title, severity: 'critical', vulnerable_versions: nextCritical.range, cwe: nextCritical.cwe, cvss: nextCritical.cvss }] }
    const registry = await stubRegistry((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(bulk)))
    const r = await runScript(registry)
    expect(r.code).toBe(1)
    expect(r.output).toContain(`critical next >=16.0.0 <16.4.7: Authorization bypass in middleware (fixture) ${nextCritical.url}`)
  })
})

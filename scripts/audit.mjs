#!/usr/bin/env node
// `npm run audit`: `npm audit --omit=dev` that fails on a high or critical advisory in a runtime
// dependency (moderate and low are reported, not blocking). When the registry's audit endpoint
// cannot be reached or refuses (some mirrors answer 405), it says so on one line and passes,
// unless AUDIT_REQUIRED=1. Issue "reliability and security", item 10.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const BLOCKING = new Set(['high', 'critical'])
// npm reports a failed fetch with one of these codes: the endpoint was not reached, not our tree at fault.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'EPROXY'])
const TIMEOUT_MS = 120_000

/**
 * @typedef {{ source: number | string, name: string, severity: string, title: string, url: string, range: string }} Advisory
 * @typedef {{ kind: 'pass', message: string }
 *   | { kind: 'fail', message: string, advisories: Advisory[], packages: string[] }
 *   | { kind: 'unavailable', message: string }
 *   | { kind: 'error', message: string }} Verdict
 */

/**
 * What `npm audit --omit=dev --json` said, from its stdout, exit code and stderr. npm exits 1 for
 * any advisory at all (moderate included) and for an unreachable endpoint, so the exit code alone
 * decides nothing; the JSON does. A report in a shape this script does not know, or an npm error
 * about our own tree (no lockfile), is an error rather than a pass: an audit that silently stopped
 * running would look like a clean one.
 *
 * @param {string} stdout
 * @param {number} exitCode
 * @param {string} stderr
 * @returns {Verdict}
 */
export function verdict(stdout, exitCode, stderr) {
  let json
  try {
    json = JSON.parse(stdout)
  } catch {
    return { kind: 'unavailable', message: `npm audit could not run: ${stderrReason(stderr) ?? `npm printed no JSON (exit code ${exitCode})`}.` }
  }
  if (json === null || typeof json !== 'object') {
    return { kind: 'unavailable', message: `npm audit could not run: npm printed no audit report (exit code ${exitCode}).` }
  }

  if (json.auditReportVersion === 2 && json.vulnerabilities && typeof json.vulnerabilities === 'object') {
    const entries = Object.values(json.vulnerabilities)
    const counts = json.metadata?.vulnerabilities ?? {}
    const blockingCount = (counts.high ?? 0) + (counts.critical ?? 0)
    const packages = entries.filter((v) => BLOCKING.has(v?.severity)).map((v) => v.name).sort()
    if (packages.length === 0 && blockingCount === 0) {
      const others = ['moderate', 'low', 'info'].filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`)
      return {
        kind: 'pass',
        message: `npm audit: no high or critical advisories in runtime dependencies${others.length ? ` (${others.join(', ')})` : ''}.`,
      }
    }
    const advisories = new Map()
    for (const v of entries) {
      for (const via of v?.via ?? []) {
        if (via && typeof via === 'object' && BLOCKING.has(via.severity)) {
          advisories.set(via.url ?? via.source, { source: via.source, name: via.name, severity: via.severity, title: via.title, url: via.url, range: via.range })
        }
      }
    }
    const list = [...advisories.values()].sort((a, b) => (a.severity === b.severity ? a.name.localeCompare(b.name) : a.severity === 'critical' ? -1 : 1))
    const lines = list.map((a) => `  ${a.severity.padEnd(8)} ${a.name} ${a.range}: ${a.title} ${a.url}`)
    return {
      kind: 'fail',
      advisories: list,
      packages,
      message: [
        `npm audit: ${list.length} high or critical ${list.length === 1 ? 'advisory' : 'advisories'} in runtime dependencies:`,
        ...lines,
        `  runtime packages affected: ${packages.join(', ')}`,
      ].join('\n'),
    }
  }

  // npm's shape for a failed request to the audit endpoint: { message, statusCode?, uri?, error: {...} }.
  if (typeof json.statusCode === 'number' || (typeof json.message === 'string' && /advisories\/bulk|security\/audits/.test(json.message))) {
    return { kind: 'unavailable', message: `npm audit could not run: the registry's audit endpoint failed (${json.message ?? `HTTP ${json.statusCode}`}).` }
  }
  const code = json.error?.code
  if (NETWORK_CODES.has(code)) {
    return { kind: 'unavailable', message: `npm audit could not run: the registry could not be reached (${code}: ${json.error.summary || json.error.detail || 'no detail'}).` }
  }
  if (code || json.error?.summary) {
    return { kind: 'error', message: `npm audit failed on this project: ${[code, json.error.summary].filter(Boolean).join(': ')}.` }
  }
  return { kind: 'error', message: `npm audit printed JSON this script does not recognise (exit code ${exitCode}): ${stdout.slice(0, 200)}` }
}

/**
 * The exit code of this script for a verdict: an unreachable endpoint passes unless the audit
 * is required (AUDIT_REQUIRED=1), where not knowing counts as failing.
 *
 * @param {Verdict} v
 * @param {Record<string, string | undefined>} env
 * @returns {0 | 1}
 */
export function exitCodeOf(v, env) {
  if (v.kind === 'pass') return 0
  if (v.kind === 'unavailable') return env.AUDIT_REQUIRED === '1' ? 1 : 0
  return 1
}

/** The line of npm's stderr that says why the audit failed ("npm warn audit 405 ..."), if any. */
function stderrReason(stderr) {
  const lines = (stderr ?? '').split('\n').map((l) => l.trim()).filter(Boolean)
  const warn = lines.find((l) => l.startsWith('npm warn audit '))
  if (warn) return warn.slice('npm warn audit '.length)
  const last = lines.filter((l) => !l.startsWith('npm error A complete log')).at(-1)
  return last?.replace(/^npm (error|warn) /, '')
}

function main() {
  const root = path.resolve(import.meta.dirname, '..')
  // --offline=false: with offline set (npm_config_offline in CI caches), npm skips the endpoint and
  // prints an empty, clean-looking report.
  const r = spawnSync('npm', ['audit', '--omit=dev', '--json', '--offline=false'], {
    cwd: root,
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  })
  let stderr = r.stderr ?? ''
  if (r.error) stderr += `\n${r.error.code === 'ETIMEDOUT' ? `npm audit did not finish within ${TIMEOUT_MS / 1000} s` : `could not start npm: ${r.error.message}`}`
  const v = verdict(r.stdout ?? '', r.status ?? 1, stderr)
  const code = exitCodeOf(v, process.env)
  if (v.kind === 'pass') console.log(v.message)
  else if (v.kind === 'unavailable') console.warn(`${v.message}${code ? ' AUDIT_REQUIRED=1: failing.' : ' Not failing (set AUDIT_REQUIRED=1 to fail).'}`)
  else console.error(v.message)
  process.exit(code)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()

// `npx tsx scripts/bench/profile-summary.ts [dir]`: where the server's CPU time went, from the
// V8 profiles `npm run bench -- --profile` leaves in bench-results/profiles: self time by
// function and by package (node_modules/<name>, next's own files, or the app's chunks).
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}

const dir = process.argv[2] ?? path.join(import.meta.dirname, '../../bench-results/profiles')
const byFunction = new Map<string, number>()
const byPackage = new Map<string, number>()
let total = 0

function packageOf(url: string): string {
  if (!url) return '(native / idle / gc)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
    if (name === 'next') return `next/${rest.slice(1, 4).join('/')}`
    return name
  }
  if (url.includes('/.next/server/chunks/')) return '.next/server/chunks (app + bundled deps)'
  if (url.includes('/.next/')) return '.next (other)'
  if (url.startsWith('node:')) return 'node:*'
  return url
}

for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id)!
    const dt = profile.timeDeltas[i] ?? 0
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)' || functionName === '(program)') return
    total += dt
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|\.next)\//, '$1/')}:${lineNumber + 1}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + dt)
    const pkg = functionName === '(garbage collector)' ? '(garbage collector)' : packageOf(url)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt)
  })
}

const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`)
    .join('\n')

console.log(`busy CPU: ${(total / 1e6).toFixed(1)} s\n\nby package:\n${top(byPackage, 25)}\n\nby function (self):\n${top(byFunction, 40)}`)

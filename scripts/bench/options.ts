// The bench's command line (see README.md beside this file) and where it writes its results.
import path from 'node:path'
import { root } from '../lib/processes'

export const resultsDir = path.join(root, 'bench-results')

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(`--${name}`)
const option = (name: string, fallback: number) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`))
  return a ? Number(a.split('=')[1]) : fallback
}
export const opts = {
  check: flag('check'),
  build: !flag('no-build'),
  pglite: flag('pglite'),
  sizes: argv.some((a) => a.startsWith('--n=')) ? [option('n', 1000)] : [1000, 10_000],
  rounds: option('rounds', 2),
  durationS: option('duration', 4),
  maxRequests: option('max', 400),
  connections: option('connections', 4),
  warmup: option('warmup', 40),
  /** --only=name,name: just these targets (and their floors), for a quick look at a change. */
  only: argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').map((x) => x.trim().toLowerCase()) ?? null,
  /** --profile: the server writes V8 CPU profiles to bench-results/profiles when it stops. */
  profile: flag('profile'),
  /** --hold: after signing in, write the URLs and cookies to bench-results/hold.json and wait (Ctrl-C ends), for trying requests by hand. */
  hold: flag('hold'),
}
// The bench makes its own databases on the server, outside the app's env: it reads DATABASE_URL itself.
export const baseDatabaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'

export const log = (...a: unknown[]) => console.error('[bench]', ...a)

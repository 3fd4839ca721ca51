// The one process helper of the scripts (bench, two instances, reliability): free ports, children
// in their own process group (so stopping one stops what it spawned, npx → tsx → node, and nothing
// else), stopping them all on the way out, and polling until something is up.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'

export const root = path.resolve(import.meta.dirname, '../..')

/** A port nobody listens on right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
    srv.on('error', reject)
  })
}

const started: ChildProcess[] = []

/**
 * Starts a child in its own process group, from the repository root, with the script's env plus
 * `env`. Its output goes to a log file, to this process's output with a `[label]` prefix, or is
 * left piped for the caller to read.
 */
export function startProcess(cmd: string, args: string[], { env = {}, output }: { env?: Record<string, string>; output: { file: string } | { label: string } | 'pipe' }): ChildProcess {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  if (output !== 'pipe' && 'file' in output) {
    const out = createWriteStream(output.file)
    child.stdout!.pipe(out)
    child.stderr!.pipe(out)
  } else if (output !== 'pipe') {
    child.stdout!.on('data', (d) => process.stdout.write(`[${output.label}] ${d}`))
    child.stderr!.on('data', (d) => process.stderr.write(`[${output.label}] ${d}`))
  }
  started.push(child)
  return child
}

/** Sends a signal to a child's whole process group; one already gone is no error. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the child's group, SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return
  const exited = new Promise((r) => child.once('exit', r))
  signalGroup(child, 'SIGTERM')
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** Stops every child startProcess started (the way out of a script, however it ends). */
export async function stopAll(): Promise<void> {
  await Promise.all(started.map((c) => stopProcess(c)))
}

/** Runs a command to its end with this process's terminal; resolves its exit code. */
export function runToExit(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
    child.on('exit', (code) => resolve(code ?? 1))
  })
}

/** Polls `fn` until it returns something truthy; throws, naming `what`, after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < until) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      lastError = e
    }
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`)
}

/** A pid (or, negative, a process group) that still runs; a zombie left to a non-reaping init counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  if (pid < 0) return true
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return true
  }
}

/** Descendants of pid, itself included (Linux /proc). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {}
  }
  const out: number[] = []
  const stack = [pid]
  while (stack.length) {
    const p = stack.pop()!
    out.push(p)
    stack.push(...(children.get(p) ?? []))
  }
  return out
}

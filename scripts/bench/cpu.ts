// Where the machine's CPU and memory go, per process, from Linux /proc.
import { readdirSync, readFileSync } from 'node:fs'
import { processTree } from '../lib/processes'

/** VmRSS of a process and all its descendants, in bytes (Linux /proc). */
export function treeRss(pid: number): number {
  let total = 0
  for (const p of processTree(pid)) {
    try {
      const kb = readFileSync(`/proc/${p}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
      if (kb) total += Number(kb[1]) * 1024
    } catch {}
  }
  return total
}

const CLOCK_TICK_MS = 10 // USER_HZ is 100 on Linux

/** User + system CPU time of each of the given processes, in ms (unreadable ones left out). */
function cpuMsOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(p, (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS) // utime, stime (fields 14 and 15 of stat)
    } catch {}
  }
  return out
}

/** Every PostgreSQL process on this machine (the bench's database server is a local one). */
function postgresPids(): number[] {
  return readdirSync('/proc').filter((e) => {
    if (!/^\d+$/.test(e)) return false
    try {
      return readFileSync(`/proc/${e}/comm`, 'utf8').trim() === 'postgres'
    } catch {
      return false
    }
  }).map(Number)
}

export type CpuSplit = Record<'server' | 'postgres' | 'emailProvider' | 'loadGenerator', number>
type CpuSnapshot = Record<keyof CpuSplit, Map<number, number>>

/** Where the machine's CPU goes: the app server, PostgreSQL, the fake email provider and this process (autocannon). */
export function readCpu(serverPid: number, providerPid: number, isPglite: boolean): CpuSnapshot {
  const self = process.cpuUsage()
  return {
    server: cpuMsOf(processTree(serverPid)),
    postgres: isPglite ? new Map() : cpuMsOf(postgresPids()),
    emailProvider: cpuMsOf(processTree(providerPid)),
    loadGenerator: new Map([[process.pid, (self.user + self.system) / 1000]]),
  }
}

/**
 * CPU used between two snapshots, per group. A process started in between counts from zero; one
 * that ended in between is lost (short-lived PostgreSQL backends: the app's pool keeps its own).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const sum = (k: keyof CpuSplit) => [...after[k]].reduce((total, [pid, ms]) => total + ms - (before[k].get(pid) ?? 0), 0)
  return { server: sum('server'), postgres: sum('postgres'), emailProvider: sum('emailProvider'), loadGenerator: sum('loadGenerator') }
}

// --hold: after signing in, the run keeps its server up for requests by hand until Ctrl-C, which
// then ends the hold (the run stops its servers and drops its database in its own finally).

/** Thrown when Ctrl-C ends --hold: the run unwinds through its finally (servers, database) and exits. */
export class HoldEnded extends Error {}

let release: (() => void) | null = null

/** Waits until Ctrl-C, then throws HoldEnded. */
export async function holdUntilInterrupted(): Promise<never> {
  await new Promise<void>((resolve) => (release = resolve))
  release = null
  throw new HoldEnded()
}

/** Ends a hold in progress; false when none is. */
export function endHold(): boolean {
  if (!release) return false
  release()
  return true
}

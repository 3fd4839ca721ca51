import 'server-only'
import type { Db } from '@/db/client'

/**
 * Thrown inside a transaction to roll it back and hand `result` to the caller: a refusal
 * discovered after a write (the conditional update) must leave nothing behind.
 */
export class Refusal<T> extends Error {
  constructor(readonly result: T) {
    super('refused')
  }
}

export async function transactionOrRefusal<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await db.transaction((tx) => work(tx as unknown as Db))
  } catch (err) {
    if (err instanceof Refusal) return err.result as T
    throw err
  }
}

/** Postgres unique violation on the given constraint or index, however the driver wraps it. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (let e = err as { code?: string; constraint?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505' && (e.constraint === constraint || e.message?.includes(constraint))) return true
  }
  return false
}

import 'server-only'
import { z } from 'zod'

/**
 * The rows of a raw statement (`db.execute`), parsed: a renamed or retyped column fails here with
 * its name instead of flowing on as `undefined`. Both drivers return `{ rows }`.
 */
export function parseRows<T extends z.ZodType>(row: T, result: unknown): z.infer<T>[] {
  return z.object({ rows: z.array(row) }).parse(result).rows
}

/** A json / json_agg column: node-postgres parses it, PGlite may hand back the text. */
export const jsonOf = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? JSON.parse(v) : v), schema)

/** A count or other integer column: int4 arrives as a number, int8 (bare count(*)) as text. */
export const intColumn = z.coerce.number().int()

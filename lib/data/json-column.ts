/** A json column or json_agg result: node-postgres parses it, PGlite may hand back the text. */
export function parseJsonColumn<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}

// Loads the product modules the reliability scripts drive, after making `server-only` importable
// outside Next (static imports would be resolved before the hook is registered).
import { register } from 'node:module'

register('./server-only-hook.mjs', import.meta.url)

export const outbox = {
  ...(await import('../../lib/email/outbox')),
  ...(await import('../../lib/data/outbox/enqueue-email')),
  ...(await import('../../lib/data/outbox/enqueue-emails')),
}
export const transport = await import('../../lib/email/transport')
export const dbClient = await import('../../db/client')
export const dbMigrate = await import('../../db/migrate')
export const schema = await import('../../db/schema')

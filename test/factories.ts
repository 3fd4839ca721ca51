import { randomBytes } from 'node:crypto'
import type { Db } from '@/db/client'
import { users } from '@/db/schema'

export async function createUser(db: Db, email = `user-${randomBytes(4).toString('hex')}@example.com`) {
  const [user] = await db.insert(users).values({ email: email.toLowerCase() }).returning({ id: users.id, email: users.email })
  return user
}

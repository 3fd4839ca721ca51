// The targets (README.md beside this file): pages and actions as the browser sends them, with the
// pools the actions consume and what puts the database back between runs.
import { randomBytes } from 'node:crypto'
import type { BenchDb } from './database'
import { actionBody, actionHeaders } from './http'
import type { Target } from './load'
import { opts } from './options'
import { BIG_SLUG, NEW_INVITE_PREFIX, resetStatements, SMALL_SLUG } from './seed'
import { waitFor } from '../lib/processes'

export interface TargetContext {
  db: BenchDb
  appUrl: string
  fakeResendUrl: string
  ownerCookie: string
  inviteeCookie: string
  membersPath: string
  laterPath: string
  acceptPool: number
  /** A server action's id from the build's manifest. */
  action: (file: string, name: string) => string
}

export function benchTargets({ db, appUrl, fakeResendUrl, ownerCookie, inviteeCookie, membersPath, laterPath, acceptPool, action }: TargetContext) {
  // Pools the actions consume: pending invitations of Bench Big (revoke) and the invitee's (accept).
  const pools = db.pools
  let revokeNext = 0
  let acceptNext = 0
  let inviteCounter = 0
  const runTag = randomBytes(3).toString('hex')
  const newAddresses = (k: number) =>
    Array.from({ length: k }, (_, j) => `${NEW_INVITE_PREFIX}${runTag}-${inviteCounter}-${j}@bench.test`).join(', ')
  const inviteBody = (k: number) => () => {
    inviteCounter++
    return actionBody([
      ['slug', BIG_SLUG],
      ['emails', newAddresses(k)],
      ['role', 'member'],
      ['permissions[]', 'members:read'],
    ])
  }
  const isSuccess = (status: number, body: string) => status === 200 && /"status":"success"/.test(body)
  const inviteId = action('app/(app)/orgs/[slug]/members/actions.ts', 'inviteMembersAction')
  const revokeId = action('app/(app)/orgs/[slug]/members/actions.ts', 'revokeInvitationAction')
  const acceptId = action('app/(app)/invitations/actions.ts', 'acceptInvitationAction')
  const origin = appUrl
  const setResendDelay = (ms: number) => async () => {
    await fetch(`${fakeResendUrl}/__faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delayMs: ms }) })
  }
  const pageHeaders = (cookie: string) => ({ cookie, accept: 'text/html' })
  const allTargets: Target[] = [
    { name: 'floor page', kind: 'page', floor: null, method: 'GET', path: `/orgs/${SMALL_SLUG}`, headers: pageHeaders(ownerCookie), note: `Projects tab of ${SMALL_SLUG} (no projects), header with the bell (5 open invitations)` },
    {
      name: 'sign-in page (signed out)',
      kind: 'page',
      floor: 'floor page',
      method: 'GET',
      path: '/login',
      headers: { accept: 'text/html' },
      note: 'reference: a page of this build with no session and no query, what any page costs on this machine before it does any work',
    },
    { name: 'Dashboard', kind: 'page', floor: 'floor page', method: 'GET', path: '/dashboard', headers: pageHeaders(ownerCookie), note: 'owner: 5 open invitations from other organizations, 2 organizations' },
    { name: 'Members tab', kind: 'page', floor: 'floor page', method: 'GET', path: membersPath, headers: pageHeaders(ownerCookie), note: 'first page of members and of pending invitations (25 each)' },
    { name: 'Members later page', kind: 'page', floor: 'floor page', method: 'GET', path: laterPath, headers: pageHeaders(ownerCookie), note: 'page 6 of the members list (cursor)' },
    {
      name: 'bell',
      kind: 'page',
      floor: 'floor page',
      method: 'GET',
      path: `/orgs/${SMALL_SLUG}`,
      headers: pageHeaders(inviteeCookie),
      note: `no endpoint of its own: the floor page as the invitee, whose bell counts ${acceptPool} open invitations`,
    },
    {
      name: 'no-op action',
      kind: 'action',
      floor: null,
      method: 'POST',
      path: membersPath,
      headers: actionHeaders(revokeId, origin, ownerCookie),
      body: () => actionBody([
        ['slug', BIG_SLUG],
        ['invitationId', 'not-a-uuid'],
      ]),
      isOk: (status, body) => status === 200 && /"status":"error"/.test(body),
      note: 'revokeInvitationAction with a malformed id: session check + validation, then returns',
    },
    { name: 'invite 1', kind: 'action', floor: 'no-op action', method: 'POST', path: membersPath, headers: actionHeaders(inviteId, origin, ownerCookie), body: inviteBody(1), isOk: isSuccess, reset: 'invite' },
    {
      name: 'invite 1, email slow',
      kind: 'action',
      floor: 'no-op action',
      method: 'POST',
      path: membersPath,
      headers: actionHeaders(inviteId, origin, ownerCookie),
      body: inviteBody(1),
      isOk: isSuccess,
      reset: 'invite',
      before: setResendDelay(500),
      note: 'the fake Resend server answers after 500 ms',
    },
    { name: 'invite 50', kind: 'action', floor: 'no-op action', method: 'POST', path: membersPath, headers: actionHeaders(inviteId, origin, ownerCookie), body: inviteBody(50), isOk: isSuccess, reset: 'invite' },
    {
      name: 'accept',
      kind: 'action',
      floor: 'no-op action',
      method: 'POST',
      path: '/dashboard',
      headers: actionHeaders(acceptId, origin, inviteeCookie),
      body: () => actionBody([['invitationId', pools.accept[acceptNext++ % pools.accept.length]]]),
      isOk: isSuccess,
      reset: 'accept',
      capacity: () => pools.accept.length - acceptNext,
      note: 'the invitee accepts one invitation each (from the Dashboard)',
    },
    {
      name: 'revoke',
      kind: 'action',
      floor: 'no-op action',
      method: 'POST',
      path: membersPath,
      headers: actionHeaders(revokeId, origin, ownerCookie),
      body: () => actionBody([
        ['slug', BIG_SLUG],
        ['invitationId', pools.revoke[revokeNext++ % pools.revoke.length]],
      ]),
      isOk: isSuccess,
      reset: 'revoke',
      capacity: () => pools.revoke.length - revokeNext,
      note: 'the owner revokes one pending invitation of Bench Big each',
    },
  ]
  const wanted = (t: Target) => !opts.only || opts.only.some((o) => t.name.toLowerCase() === o)
  const targets = allTargets.filter((t) => wanted(t) || allTargets.some((u) => wanted(u) && u.floor === t.name))

  const waitForDeliveries = async (t: Target) => {
    if (t.reset === 'invite') {
      // The emails of the last requests are still being sent after the run (after the
      // response, by design): let them finish, so the next target is measured on a quiet
      // server and not charged with this one's deliveries.
      if (db.exec) {
        const exec = db.exec
        await waitFor(
          'the emails of this run to be delivered',
          async () => ((await exec(`select count(*)::int as n from email_outbox where status = 'sending' or (status = 'pending' and next_attempt_at <= now())`)) as { rows: { n: number }[] }).rows[0].n === 0 || null,
          120_000,
          100,
        )
      } else await new Promise((r) => setTimeout(r, 1500))
    }
  }
  const resetAfter = async (t: Target) => {
    await waitForDeliveries(t)
    if (t.name === 'invite 1, email slow') await setResendDelay(0)()
    if (t.reset && db.exec) {
      for (const s of resetStatements[t.reset]) await db.exec(s)
      if (t.reset === 'revoke') revokeNext = 0
      if (t.reset === 'accept') acceptNext = 0
    }
  }
  return { targets, resetAfter, waitForDeliveries }
}

import 'server-only'
import { randomBytes } from 'node:crypto'
import { permissionLabel, type ProjectLevel } from '@/lib/permissions'
import { renderInvitationEmail } from '../render'
import { formatExpiry } from './invitation-email'

interface InvitationTemplateInput {
  appUrl: string
  orgName: string
  inviterName: string | null
  inviterEmail: string
  role: 'admin' | 'member'
  permissions: readonly string[]
  projectGrants: { name: string; level: ProjectLevel }[]
  expiresAt: Date
}

/** The invitation email, rendered with `placeholder` where each copy's token goes. */
export type InvitationTemplate = Awaited<ReturnType<typeof renderInvitationEmail>> & { placeholder: string }

function invitationUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/+$/, '')}/invitations/${token}`
}

/**
 * Rendered templates kept: a batch of 50 renders React once (the statement that queues the emails
 * puts each token in its copy), and an admin inviting people one by one with the same offer
 * renders it once a minute. Per process, and only a cache: a miss renders again.
 */
const cache = new Map<string, Promise<InvitationTemplate>>()
const CACHE_SIZE = 64

export async function renderInvitationTemplate(input: InvitationTemplateInput): Promise<InvitationTemplate> {
  const { appUrl, permissions, ...rest } = input
  const props = { ...rest, permissionLabels: input.role === 'admin' ? [] : permissions.map(permissionLabel) }
  // The email shows the expiry to the minute, so copies rendered within a minute are identical.
  const key = JSON.stringify([appUrl, { ...props, expiresAt: formatExpiry(input.expiresAt) }])
  let rendered = cache.get(key)
  if (rendered) {
    cache.delete(key)
  } else {
    const placeholder = `TOKEN${randomBytes(16).toString('hex')}`
    rendered = renderInvitationEmail({ ...props, url: invitationUrl(appUrl, placeholder) }).then((r) => ({ ...r, placeholder }))
    rendered.catch(() => cache.delete(key))
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!)
  }
  cache.set(key, rendered)
  return rendered
}

import { randomBytes } from 'node:crypto'
import { Resend } from 'resend'

export interface EmailMessage {
  from: string
  to: string
  subject: string
  html: string
  text: string
  /** Stable for the life of an outbox row: the provider drops a retry it has already accepted. */
  idempotencyKey: string
}

export type SendResult =
  | { ok: true; providerId: string }
  | { ok: false; retryable: boolean; retryAfterMs?: number; error: string }

export type BatchSendResult =
  | { ok: true; providerIds: string[] }
  | { ok: false; retryable: boolean; retryAfterMs?: number; error: string }

export interface EmailTransport {
  send(m: EmailMessage): Promise<SendResult>
  /**
   * Several emails in one provider request, all accepted or none: provider ids in the order
   * given. The key covers the whole request, so a retry must repeat exactly the same emails.
   * Without it, the outbox sends a batch's emails one by one.
   */
  sendBatch?(messages: Omit<EmailMessage, 'idempotencyKey'>[], idempotencyKey: string): Promise<BatchSendResult>
}

/** The most emails one provider request may carry (Resend's batch endpoint takes 100). */
export const MAX_BATCH_SIZE = 100

/** A hung provider must not hold a claimed outbox row for the whole lease. */
export const SEND_TIMEOUT_MS = 10_000

// Error names the Resend API uses for failures worth retrying, for bodies that lack a statusCode.
const RETRYABLE_ERROR_NAMES = new Set([
  'rate_limit_exceeded',
  'daily_quota_exceeded',
  'monthly_quota_exceeded',
  'concurrent_idempotent_requests',
  'application_error',
  'internal_server_error',
])

/** Sends through the Resend SDK (which honours RESEND_BASE_URL, read here at construction). */
export function createResendTransport(apiKey: string, options: { timeoutMs?: number } = {}): EmailTransport {
  const resend = new Resend(apiKey)
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS
  return {
    async send(m) {
      try {
        const { data, error, headers } = await resend.emails.send(
          { from: m.from, to: m.to, subject: m.subject, html: m.html, text: m.text },
          { idempotencyKey: m.idempotencyKey, signal: AbortSignal.timeout(timeoutMs) },
        )
        if (data?.id) return { ok: true, providerId: data.id }
        return classifyResendError(error, headers)
      } catch (err) {
        // The SDK only throws when the timeout fires while it reads the response body.
        return { ok: false, retryable: true, error: `send failed: ${err instanceof Error ? err.message : String(err)}` }
      }
    },
    async sendBatch(messages, idempotencyKey) {
      try {
        // Strict validation (the SDK's default): one invalid email refuses the whole request.
        const { data, error, headers } = await resend.batch.send(
          messages.map((m) => ({ from: m.from, to: m.to, subject: m.subject, html: m.html, text: m.text })),
          { idempotencyKey, signal: AbortSignal.timeout(timeoutMs) },
        )
        const ids = data?.data?.map((d) => d?.id)
        if (ids && ids.length === messages.length && ids.every((id) => typeof id === 'string')) return { ok: true, providerIds: ids }
        if (data) return { ok: false, retryable: true, error: `provider answered the batch with ${ids?.length ?? 'no'} ids for ${messages.length} emails` }
        return classifyResendError(error, headers)
      } catch (err) {
        return { ok: false, retryable: true, error: `send failed: ${err instanceof Error ? err.message : String(err)}` }
      }
    },
  }
}

// The SDK hands back the provider's JSON error body as is, so nothing in it is guaranteed.
type ProviderError = { statusCode?: unknown; name?: unknown; message?: unknown }

export function classifyResendError(
  error: ProviderError | null | undefined,
  headers: Record<string, string> | null | undefined,
): Extract<SendResult, { ok: false }> {
  if (!error) return { ok: false, retryable: true, error: 'provider returned neither an id nor an error' }
  const status = typeof error.statusCode === 'number' ? error.statusCode : null
  const name = typeof error.name === 'string' ? error.name : undefined
  const message = typeof error.message === 'string' ? error.message.slice(0, 300) : ''
  const description = `${status ?? 'no response'} ${name ?? 'error'}: ${message}`
  let retryable: boolean
  if (status === null) {
    // Network failure, timeout, or a JSON error body without a status: retry unless the name says otherwise.
    retryable = name === undefined || RETRYABLE_ERROR_NAMES.has(name)
  } else {
    // 409 concurrent_idempotent_requests: the same key is still in flight at the provider.
    retryable = status >= 500 || status === 429 || status === 408 || (status === 409 && name === 'concurrent_idempotent_requests')
  }
  const retryAfterMs = retryable ? parseRetryAfter(headers?.['retry-after']) : undefined
  return { ok: false, retryable, error: description, ...(retryAfterMs !== undefined && { retryAfterMs }) }
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}

/** Development without a provider: the outbox rows are the mailbox; the console gets the link. */
export function createDevMailboxTransport(log: (line: string) => void = console.log): EmailTransport {
  const record = (m: Omit<EmailMessage, 'idempotencyKey'>) => {
    const link = m.text.match(/https?:\/\/[^\s<>()"']+/)?.[0] ?? '(no link)'
    log(`[dev mailbox] to ${m.to}: ${m.subject} — ${link}`)
    return `dev-${randomBytes(8).toString('hex')}`
  }
  return {
    async send(m) {
      return { ok: true, providerId: record(m) }
    },
    async sendBatch(messages) {
      return { ok: true, providerIds: messages.map(record) }
    },
  }
}

import type { z } from 'zod'
import { fail, type ActionState } from './state'

// Form fields Next adds for its own bookkeeping, and fields never echoed back.
const hiddenField = /^\$ACTION|^(token|password|csrfToken)$/i

/** Form entries as strings (repeated keys joined), for echoing into the form. */
export function formValues(formData: FormData): Record<string, string> {
  // No prototype: a field named "toString" or "__proto__" is just a field.
  const values: Record<string, string> = Object.create(null)
  for (const [key, value] of formData.entries()) {
    if (hiddenField.test(key) || typeof value !== 'string') continue
    values[key] = key in values ? `${values[key]},${value}` : value
  }
  return { ...values }
}

/** FormData to a plain object; keys ending in [] (or repeated, or sent both ways) become arrays. */
export function formToObject(formData: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null)
  for (const [rawKey, value] of formData.entries()) {
    if (rawKey.startsWith('$ACTION')) continue
    const isArray = rawKey.endsWith('[]')
    const key = isArray ? rawKey.slice(0, -2) : rawKey
    if (!(key in out)) out[key] = isArray ? [value] : value
    else out[key] = Array.isArray(out[key]) ? [...(out[key] as unknown[]), value] : [out[key], value]
  }
  return { ...out }
}

/**
 * The core of every server action: who calls (on the server, from the session),
 * then the input through its schema, then the handler. Expected failures come
 * back as an ActionState that keeps what the user typed; anything else throws.
 */
export async function runAction<S extends z.ZodType, U, Data>(
  schema: S,
  formData: FormData,
  getUser: () => Promise<U | null>,
  handler: (input: z.infer<S>, user: U) => Promise<ActionState<Data>>,
): Promise<ActionState<Data>> {
  const values = formValues(formData)
  const user = await getUser()
  if (!user) return { ...fail('You need to sign in again.'), values }
  const parsed = schema.safeParse(formToObject(formData))
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {}
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? 'form')
      ;(fieldErrors[key] ??= []).push(issue.message)
    }
    return { ...fail('Please correct the highlighted fields.', fieldErrors), values }
  }
  const result = await handler(parsed.data, user)
  return result.status === 'error' ? { ...result, values: result.values ?? values } : result
}

// Small HTTP helpers for the bench: server actions as the browser sends them, and the real
// magic-link sign-in flow over plain HTTP.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { waitFor } from '../lib/processes'

export interface ActionRef {
  id: string
  filename: string
  exportedName: string
}

/** Server action ids by "file#export", from the build's server-reference manifest. */
export function readActionIds(root: string): Map<string, ActionRef> {
  const manifest = JSON.parse(readFileSync(path.join(root, '.next/server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { filename?: string; exportedName?: string }>
  }
  const out = new Map<string, ActionRef>()
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.filename && entry.exportedName) out.set(`${entry.filename}#${entry.exportedName}`, { id, filename: entry.filename, exportedName: entry.exportedName })
  }
  return out
}

export const BOUNDARY = '----benchFormBoundary7MA4YWxkTrZu0gW'

/**
 * The multipart body React's encodeReply makes for `action(previousState, formData)` (what
 * useActionState sends): the FormData entries under the "_1_" prefix (React 19.3; "1_" before), and the argument list as
 * part "0", where "$K1" points at that FormData.
 */
export function actionBody(fields: [string, string][]): string {
  const part = (name: string, value: string) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  return fields.map(([k, v]) => part(`_1_${k}`, v)).join('') + part('0', JSON.stringify([{ status: 'idle' }, '$K1'])) + `--${BOUNDARY}--\r\n`
}

export function actionHeaders(actionId: string, origin: string, cookie?: string): Record<string, string> {
  return {
    accept: 'text/x-component',
    'next-action': actionId,
    'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    origin,
    ...(cookie ? { cookie } : {}),
  }
}


/**
 * Signs `email` in through the product's flow: the sign-in action of /login, the emailed link
 * (read from the fake Resend server) to /login/confirm, and that page's "Sign in" form, which
 * GETs the Auth.js callback and sets the session cookie. Returns the Cookie header to send.
 */
export async function signIn({ appUrl, fakeResendUrl, email, signInActionId, ip }: { appUrl: string; fakeResendUrl: string; email: string; signInActionId: string; ip: string }) {
  const login = await fetch(`${appUrl}/login`, { headers: { 'x-forwarded-for': ip } })
  if (login.status !== 200) throw new Error(`GET /login answered ${login.status}`)
  const res = await fetch(`${appUrl}/login`, {
    method: 'POST',
    headers: { ...actionHeaders(signInActionId, appUrl), 'x-forwarded-for': ip },
    body: actionBody([
      ['email', email],
      ['callbackUrl', '/dashboard'],
    ]),
    redirect: 'manual',
  })
  const answer = await res.text()
  if (res.status >= 400) throw new Error(`sign-in action answered ${res.status}`)
  const message = await waitFor(`the sign-in email to ${email} (the action answered ${res.status}: ${answer.slice(0, 400)})`, async () => {
    const emails = (await (await fetch(`${fakeResendUrl}/__emails?to=${encodeURIComponent(email)}`)).json()) as { subject: string; text: string }[]
    return emails.find((e) => /^Sign in/.test(e.subject))
  })
  const link = message.text.match(/https?:\/\/\S+\/login\/confirm\?\S+/)?.[0]
  if (!link) throw new Error('no confirm link in the sign-in email')
  const confirm = await fetch(link)
  const html = await confirm.text()
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].filter((f) => /method="get"/i.test(f[1]) && /\bSign in\b/.test(f[2]))
  const form = forms[0] ? [forms[0][0], forms[0][1].match(/\baction="([^"]+)"/)?.[1] ?? '', forms[0][2]] : null
  if (!form) throw new Error(`no sign-in form on /login/confirm (${confirm.status}, link ${link}): ${html.replace(/<script[\s\S]*?<\/script>/g, '').slice(0, 1500)}`)
  const target = new URL(form[1].replaceAll('&amp;', '&'), appUrl)
  for (const input of form[2].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
    target.searchParams.set(input[1], decodeHtml(input[2]))
  }
  const callback = await fetch(target, { redirect: 'manual' })
  await callback.text()
  const cookies = callback.headers.getSetCookie()
  const session = cookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('authjs.session-token='))
  if (!session) throw new Error(`no session cookie after the sign-in callback (status ${callback.status})`)
  return session
}

export function decodeHtml(s: string): string {
  return s
    .replaceAll('&amp;', '&')
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
}

// First-load JavaScript of a page, in gzip bytes, from the build output.
//
// Method: fetch the page as the signed-in user (the production server), collect every script
// the HTML makes the browser load before it is interactive: <script src> (not nomodule
// polyfills) and <link rel="preload"|"modulepreload" as="script">; each is a file of
// .next/static, gzipped here at level 9 (what gzip-size, and so Next's old build table, used)
// and summed. Inline scripts (the RSC payload) are data, not code, and are not counted.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'

export interface FirstLoadJs {
  files: { file: string; raw: number; gzip: number }[]
  raw: number
  gzip: number
}

export function scriptsOf(html: string): string[] {
  const out = new Set<string>()
  for (const m of html.matchAll(/<script\b([^>]*)>/g)) {
    const attrs = m[1]
    if (/\bnomodule\b/i.test(attrs)) continue
    const src = attrs.match(/\bsrc="([^"]+)"/)?.[1]
    if (src) out.add(src)
  }
  for (const m of html.matchAll(/<link\b([^>]*)>/g)) {
    const attrs = m[1]
    if (!/\bas="script"/.test(attrs) && !/rel="modulepreload"/.test(attrs)) continue
    const href = attrs.match(/\bhref="([^"]+)"/)?.[1]
    if (href) out.add(href)
  }
  return [...out].filter((s) => s.includes('/_next/static/'))
}

export function measureFirstLoadJs(root: string, html: string): FirstLoadJs {
  const files = scriptsOf(html).map((src) => {
    const rel = decodeURIComponent(new URL(src, 'http://x').pathname).replace(/^\/_next\/static\//, '')
    const buf = readFileSync(path.join(root, '.next/static', rel))
    return { file: rel, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length }
  })
  return { files, raw: files.reduce((a, f) => a + f.raw, 0), gzip: files.reduce((a, f) => a + f.gzip, 0) }
}

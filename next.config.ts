import type { NextConfig } from 'next'
import { NON_PAGE_CSP } from './lib/csp'

const nextConfig: NextConfig = {
  // PGlite loads its WASM and data files from its package directory at run time.
  serverExternalPackages: ['@electric-sql/pglite'],
  poweredByHeader: false,
  // The build checks the app; `npm test` type-checks everything, tests included.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
        ],
      },
      {
        // Pages get a policy with a fresh script nonce from proxy.ts; everything else this one.
        source: '/:path((?:api|_next/static|_next/image)/.*|icon\\.svg|favicon\\.ico)',
        headers: [{ key: 'Content-Security-Policy', value: NON_PAGE_CSP }],
      },
      {
        // The invitation link carries its token in the path: never leak it in a Referer.
        source: '/invitations/:token*',
        headers: [{ key: 'Referrer-Policy', value: 'no-referrer' }],
      },
      {
        source: '/login/confirm',
        headers: [{ key: 'Referrer-Policy', value: 'no-referrer' }],
      },
    ]
  },
}

export default nextConfig

import next from 'eslint-config-next'
import drizzle from 'eslint-plugin-drizzle'

// The layers (README, Architecture): only db/, lib/data and lib/auth open the database; everyone
// else calls lib/data. Tests, scripts and tools set up their own databases, so they may.
const mayOpenDatabase = [
  'db/**',
  'lib/data/**',
  'lib/auth/**',
  'scripts/**',
  'test/**',
  'e2e/**',
  '**/*.test.ts',
  '**/*.test.tsx',
]
const clientMessage = 'Only db/, lib/data and lib/auth open the database: call a lib/data function (pages: withDb() from @/lib/data/db).'
// Types (`import type { Db }`) open nothing, so they are allowed.
const databaseClient = {
  paths: ['pg', '@electric-sql/pglite', 'drizzle-orm/node-postgres', 'drizzle-orm/pglite'].map((name) => ({ name, message: clientMessage, allowTypeImports: true })),
  patterns: [{ group: ['@/db/client', '@/db/migrate', '**/db/client', '**/db/migrate'], message: clientMessage, allowTypeImports: true }],
}
// Pages and components run a data function through withDb(); the raw handle is for the action wrappers.
const rawHandle = {
  name: '@/lib/data/db',
  importNames: ['getDb'],
  message: 'Pages do not touch the database: run a lib/data function with withDb() from @/lib/data/db.',
}

const config = [
  ...next,
  { ignores: ['.next/**', 'db/migrations/**', 'node_modules/**', '.data/**', 'playwright-report/**', 'test-results/**'] },
  {
    files: ['**/*.{ts,tsx}'],
    ignores: mayOpenDatabase,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', databaseClient] },
  },
  {
    // Flat config replaces a rule's options per file: this block repeats the client ban.
    files: ['app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}'],
    ignores: ['app/**/actions.ts', 'app/**/*-actions.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { ...databaseClient, paths: [...databaseClient.paths, rawHandle] }] },
  },
  {
    // An UPDATE or DELETE without WHERE changes every organization's rows (tests empty their own throwaway tables).
    files: ['**/*.{ts,tsx}'],
    ignores: ['test/**', '**/*.test.ts', '**/*.test.tsx'],
    plugins: { drizzle },
    rules: {
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx', 'getDb'] }],
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx', 'getDb'] }],
    },
  },
]

export default config

import next from 'eslint-config-next'

export default [
  ...next,
  { ignores: ['.next/**', 'db/migrations/**', 'node_modules/**', '.data/**', 'playwright-report/**', 'test-results/**'] },
]

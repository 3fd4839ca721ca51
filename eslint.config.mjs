import next from 'eslint-config-next'

const config = [
  ...next,
  { ignores: ['.next/**', 'db/migrations/**', 'node_modules/**', '.data/**', 'playwright-report/**', 'test-results/**'] },
]

export default config

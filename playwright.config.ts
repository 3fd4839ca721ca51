import { existsSync } from 'node:fs'
import { defineConfig, devices } from '@playwright/test'

const port = Number(process.env.E2E_PORT ?? 3100)
const fakeResendPort = Number(process.env.FAKE_RESEND_PORT ?? 3199)
// Set by scripts/two-instances.ts: the servers (two app instances behind a round-robin proxy) run already.
const externalUrl = process.env.E2E_EXTERNAL_URL
export const appUrl = externalUrl ?? `http://localhost:${port}`
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)

process.env.FAKE_RESEND_URL ??= `http://127.0.0.1:${fakeResendPort}`

export default defineConfig({
  testDir: 'e2e',
  // Its own folder: Playwright empties it at start, and test-results/ also holds the server log the token scan reads.
  outputDir: 'test-results/artifacts',
  timeout: 150_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    baseURL: appUrl,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: externalUrl
    ? []
    : [
    {
      command: `npx tsx test/fake-resend.ts --port ${fakeResendPort}`,
      env: { FAKE_RESEND_RECORD_FILE: process.env.E2E_EMAIL_LOG ?? '' },
      url: `http://127.0.0.1:${fakeResendPort}/__emails`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // The server's output also goes to a file: after the suite, scripts/test.mjs checks that no token issued appears in it.
      command: process.env.E2E_SERVER_LOG ? `sh -c 'npx next start -p ${port} 2>&1 | tee -a "${process.env.E2E_SERVER_LOG}"'` : `npx next start -p ${port}`,
      url: `${appUrl}/login`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      env: {
        NODE_ENV: 'production',
        APP_URL: appUrl,
        AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e-secret',
        RESEND_API_KEY: 're_e2e_test_key',
        RESEND_BASE_URL: `http://127.0.0.1:${fakeResendPort}`,
        EMAIL_FROM: 'Cloud Dashboard <no-reply@example.com>',
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
        PGLITE_DIR: process.env.PGLITE_DIR ?? '',
        NEXT_TELEMETRY_DISABLED: '1',
        // The 60-second resend cooldown is tested in the data layer; the browser test waits only 2 s.
        INVITATION_RESEND_COOLDOWN_SECONDS: '2',
      },
    },
  ],
})

// End-to-end tests (@playwright/test) against the real chaincrm binary on a fresh SQLite demo.
//
//   CHAINCRM_BIN=/path/to/chaincrm npm run test:e2e          # the whole suite
//   npx playwright test e2e/oversight.spec.js                 # one area while iterating
//
// Builds nothing: the binary must embed the built app. The webServer (e2e/server.mjs) starts it
// on a free 127.0.0.1 port with its own temporary database and data directory; the `setup`
// project logs every demo user in once and keeps the session (cookies and local storage) in
// e2e/.auth/<user>.json, which the `as(user)` fixture opens pages with. Debian's Chromium is used;
// no browser is ever downloaded. Screenshots for the docs go to docs/screenshots/ (E2E_SCREENSHOTS=0
// turns them off); traces and screenshots of failures to test-results/.
import { defineConfig } from '@playwright/test'

const external = process.env.E2E_BASE_URL // an already running server (iterating only: its data is not fresh)

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 300_000, // generous: the machine is shared, and a flow with axe checks on each page is long
  expect: { timeout: 15_000 },
  fullyParallel: false, // a spec file's tests run in order in one worker; files run side by side
  workers: Number(process.env.E2E_WORKERS) || 2, // the machine has 2 cores; the browser and the server share them
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['./e2e/summary-reporter.mjs']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    { name: 'setup', testMatch: /auth\.setup\.js$/ },
    { name: 'e2e', testMatch: /\.spec\.js$/, dependencies: ['setup'] },
  ],
  webServer: external ? undefined : {
    command: 'exec node e2e/server.mjs',
    wait: { stdout: /chaincrm e2e server ready on port (?<chaincrm_e2e_port>\d+)/ },
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
  },
})

import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices, type Project } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * End-to-end specs for the docker-compose stack (`docker compose up`, then `npm run e2e`).
 * Without a Grafana at GRAFANA_URL (default http://localhost:3000) every spec skips: the
 * login step is left out and tests/grafana.ts marks the specs skipped.
 */
const grafanaUrl = process.env.GRAFANA_URL || 'http://localhost:3000';

// Playwright loads its config synchronously, so the probe runs in a short child process.
const probe = `fetch(${JSON.stringify(`${grafanaUrl}/api/health`)}, { signal: AbortSignal.timeout(3000) })
  .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
const grafanaAnswers = spawnSync(process.execPath, ['-e', probe], { timeout: 5000 }).status === 0;
process.env.TSGW_E2E_GRAFANA = grafanaAnswers ? grafanaUrl : '';

const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;
// Debian's Chromium where there is one (browsers are not downloaded on these machines).
const chromium = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

const browser: Project<PluginOptions>['use'] = {
  ...devices['Desktop Chrome'],
  ...(chromium ? { launchOptions: { executablePath: chromium } } : {}),
};

export default defineConfig<PluginOptions>({
  testDir: './tests',
  // Its own folder: test-results/browser holds the harness screenshots.
  outputDir: './test-results/plugin-e2e',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 2 : 0,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: grafanaUrl,
    trace: 'on-first-retry',
  },
  projects: grafanaAnswers
    ? [
        // Log in to Grafana once and reuse the session.
        { name: 'auth', testDir: pluginE2eAuth, testMatch: [/.*\.js/], use: browser },
        { name: 'chromium', use: { ...browser, storageState: 'playwright/.auth/admin.json' }, dependencies: ['auth'] },
      ]
    : [{ name: 'chromium', use: browser }],
});

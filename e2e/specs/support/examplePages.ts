/**
 * What the example-page specs share: one gateway process in demo mode (embedded TimescaleDB,
 * demo data, pages on) and one Chromium for all of them, started on first use and stopped when
 * the test process ends, plus the steps every example-page test takes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startGatewayProcess, type GatewayProcess } from 'timescaledb-gateway/testing';

import { launchChromium } from './browser';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'browser');

/** The demo seeds 30 days of readings first: a loaded machine needs minutes. */
export const EXAMPLE_STACK_TIMEOUT_MS = 450_000;

export interface ExampleCtx {
  gateway: GatewayProcess;
  token: string;
  browser: Browser;
  timeColumn: string;
}

export interface OpenedPage {
  page: Page;
  /** Console errors, page errors and securitypolicyviolation events, in order. */
  problems: string[];
}

let shared: Promise<ExampleCtx> | undefined;

/** The shared demo gateway and browser. */
export const exampleStack = (): Promise<ExampleCtx> => {
  shared ??= (async () => {
    const gateway = await startGatewayProcess({
      entry: join(REPO_ROOT, 'gateway', 'src', 'main.ts'),
      cwd: REPO_ROOT,
      args: ['--demo'],
      env: { DATA_DIR: 'memory://', DATABASE_URL: '', LOG_LEVEL: 'warn' },
      timeoutMs: 400_000,
    });
    const ctx = { gateway, token: gateway.demoToken ?? '', browser: await launchChromium() } as ExampleCtx;
    ctx.timeColumn = (await gatewayGet<{ timeColumn: string }>(ctx, '/api/v1/catalog/sensor_data/columns')).timeColumn;
    return ctx;
  })();
  return shared;
};

after(async () => {
  const ctx = await shared?.catch(() => undefined);
  await ctx?.browser.close();
  await ctx?.gateway.stop();
});

export const screenshot = async (page: Page, name: string) => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};

export const gatewayGet = async <T>(ctx: ExampleCtx, path: string): Promise<T> => {
  const res = await fetch(`${ctx.gateway.url}${path}`, { headers: { authorization: `Bearer ${ctx.token}` } });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return (await res.json()) as T;
};

/** Rows the API returns for the page's own request, counted per sensor. */
export const apiPointsPerSensor = async (ctx: ExampleCtx, path: string): Promise<Record<string, number>> => {
  const rows = await gatewayGet<Array<{ sensor_id: string }>>(ctx, path);
  const counts: Record<string, number> = {};
  for (const row of rows) {
    counts[row.sensor_id] = (counts[row.sensor_id] ?? 0) + 1;
  }
  return counts;
};

/** A sensor name no other test uses. */
export const newSensor = () => `sensor_posted_${randomBytes(3).toString('hex')}`;

/** One row through `POST /timescaledb/data/sensor_data` (a minute ago by default); returns its sensor. */
export const postRow = async (
  ctx: ExampleCtx,
  temperature: number,
  { sensor = newSensor(), at = new Date(Date.now() - 60_000) } = {}
): Promise<string> => {
  const res = await fetch(`${ctx.gateway.url}/timescaledb/data/sensor_data`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ [ctx.timeColumn]: at.toISOString(), sensor_id: sensor, temperature, humidity: 50 }),
  });
  assert.equal(res.status, 201, await res.text());
  return sensor;
};

/** Opens an example page (from `origin`, the gateway's own by default), watching for problems. */
export const openExample = async (ctx: ExampleCtx, file: string, origin = ctx.gateway.url): Promise<OpenedPage> => {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Plotly is 4.6 MB of script: a loaded machine needs time to fetch and compile it.
  page.setDefaultTimeout(120_000);
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) {
      problems.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`
      );
    });
  });
  const response = await page.goto(`${origin}/examples/${file}`);
  assert.equal(response?.status(), 200);
  return { page, problems };
};

/** Types the token, presses Show and waits for the first drawing. */
export const connect = async (ctx: ExampleCtx, page: Page) => {
  await page.fill('#token', ctx.token);
  await page.click('button[type=submit]');
  await waitForDrawing(page, '');
};

/** Waits until the chart is drawn from a request other than `previous`; returns that request. */
export const waitForDrawing = async (page: Page, previous: string): Promise<string> => {
  await page.waitForFunction(
    (prev) => {
      const chart = document.getElementById('chart');
      return chart?.dataset.state === 'error' || (chart?.dataset.state === 'drawn' && chart.dataset.request !== prev);
    },
    previous,
    { timeout: 60_000 }
  );
  const state = await page.getAttribute('#chart', 'data-state');
  assert.equal(state, 'drawn', `the page shows: ${await page.innerText('#status')}`);
  return (await page.getAttribute('#chart', 'data-request')) ?? '';
};

/** The token is typed, never kept where it outlives the page or shows in a URL. */
export const assertTokenOnlyInMemory = async (ctx: ExampleCtx, page: Page) => {
  assert.equal(page.url().includes(ctx.token), false);
  const kept = await page.evaluate(() => ({
    cookie: document.cookie,
    local: localStorage.length,
    session: sessionStorage.length,
  }));
  assert.deepEqual(kept, { cookie: '', local: 0, session: 0 });
};

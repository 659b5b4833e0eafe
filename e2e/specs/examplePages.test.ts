/**
 * The gateway's Plotly and D3 example pages in headless Chromium, against a gateway process
 * started in demo mode (embedded TimescaleDB, demo data, pages on): each draws one series per
 * sensor with exactly the points the REST API returns for the page's own request, a row
 * POSTed through the API shows after a redraw, and the strict Content-Security-Policy
 * holds (no violation reported, no console error).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startGatewayProcess, type GatewayProcess } from 'timescaledb-gateway/testing';

import { chromiumUnavailable, launchChromium } from './support/browser';

const REPO_ROOT = resolve(__dirname, '..', '..');
const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'browser');

interface Ctx {
  gateway: GatewayProcess;
  token: string;
  browser: Browser;
  timeColumn: string;
}

interface OpenedPage {
  page: Page;
  /** Console errors, page errors and securitypolicyviolation events, in order. */
  problems: string[];
}

const screenshot = async (page: Page, name: string) => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};

const gatewayGet = async <T>(ctx: Ctx, path: string): Promise<T> => {
  const res = await fetch(`${ctx.gateway.url}${path}`, { headers: { authorization: `Bearer ${ctx.token}` } });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return (await res.json()) as T;
};

/** Rows the API returns for the page's own request, counted per sensor. */
const apiPointsPerSensor = async (ctx: Ctx, path: string): Promise<Record<string, number>> => {
  const rows = await gatewayGet<Array<{ sensor_id: string }>>(ctx, path);
  const counts: Record<string, number> = {};
  for (const row of rows) {
    counts[row.sensor_id] = (counts[row.sensor_id] ?? 0) + 1;
  }
  return counts;
};

/** One row through `POST /timescaledb/data/sensor_data`, a minute ago, for a sensor of its own. */
const postRow = async (ctx: Ctx, temperature: number): Promise<string> => {
  const sensor = `sensor_posted_${randomBytes(3).toString('hex')}`;
  const res = await fetch(`${ctx.gateway.url}/timescaledb/data/sensor_data`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      [ctx.timeColumn]: new Date(Date.now() - 60_000).toISOString(),
      sensor_id: sensor,
      temperature,
      humidity: 50,
    }),
  });
  assert.equal(res.status, 201, await res.text());
  return sensor;
};

const openExample = async (ctx: Ctx, file: string): Promise<OpenedPage> => {
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
  const response = await page.goto(`${ctx.gateway.url}/examples/${file}`);
  assert.equal(response?.status(), 200);
  return { page, problems };
};

/** Types the token, presses Show and waits for the first drawing. */
const connect = async (ctx: Ctx, page: Page) => {
  await page.fill('#token', ctx.token);
  await page.click('button[type=submit]');
  await waitForDrawing(page, '');
};

/** Waits until the chart is drawn from a request other than `previous`; returns that request. */
const waitForDrawing = async (page: Page, previous: string): Promise<string> => {
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
const assertTokenOnlyInMemory = async (ctx: Ctx, page: Page) => {
  assert.equal(page.url().includes(ctx.token), false);
  const kept = await page.evaluate(() => ({
    cookie: document.cookie,
    local: localStorage.length,
    session: sessionStorage.length,
  }));
  assert.deepEqual(kept, { cookie: '', local: 0, session: 0 });
};

const suiteSkip = chromiumUnavailable();

describe('example pages in Chromium', { skip: suiteSkip }, () => {
  const ctx = {} as Ctx;
  before(
    async () => {
      ctx.gateway = await startGatewayProcess({
        entry: join(REPO_ROOT, 'gateway', 'src', 'main.ts'),
        cwd: REPO_ROOT,
        args: ['--demo'],
        env: { DATA_DIR: 'memory://', DATABASE_URL: '', LOG_LEVEL: 'warn' },
        timeoutMs: 400_000,
      });
      ctx.token = ctx.gateway.demoToken ?? '';
      ctx.browser = await launchChromium();
      ctx.timeColumn = (
        await gatewayGet<{ timeColumn: string }>(ctx, '/api/v1/catalog/sensor_data/columns')
      ).timeColumn;
    },
    { timeout: 450_000 }
  );
  after(async () => {
    await ctx.browser?.close();
    await ctx.gateway?.stop();
  });

  it('prints the page URLs in the start banner', () => {
    assert.match(
      ctx.gateway.output(),
      /Example pages: http:\/\/127\.0\.0\.1:\d+\/examples\/plotly\.html\s+http:\/\/127\.0\.0\.1:\d+\/examples\/d3\.html/
    );
  });

  it('Plotly: one trace per sensor with the points the API returned; the range selector and a POSTed row redraw it', async () => {
    const { page, problems } = await openExample(ctx, 'plotly.html');
    const traces = () =>
      page.evaluate(() => {
        const chart = document.getElementById('chart') as HTMLElement & {
          data?: Array<{ name: string; x: unknown[] }>;
        };
        return Object.fromEntries((chart.data ?? []).map((t) => [t.name, t.x.length]));
      });

    await connect(ctx, page);
    let request = (await page.getAttribute('#chart', 'data-request')) ?? '';
    assert.match(
      request,
      new RegExp(`columns=${ctx.timeColumn}%2Csensor_id%2Ctemperature`),
      'the time column comes from the catalog'
    );
    let expected = await apiPointsPerSensor(ctx, request);
    assert.equal(Object.keys(expected).length, 5, 'the demo has 5 sensors');
    assert.deepEqual(await traces(), expected);
    await screenshot(page, 'examples-plotly-1h');

    await page.locator('#chart .rangeselector .button', { hasText: '6 h' }).click();
    request = await waitForDrawing(page, request);
    assert.match(request, /bucket=1m&agg=avg/, 'six hours are read as one-minute averages');
    expected = await apiPointsPerSensor(ctx, request);
    assert.deepEqual(await traces(), expected);
    for (const points of Object.values(expected)) {
      assert.ok(points > 300 && points <= 361, `${points} one-minute buckets in six hours`);
    }

    const sensor = await postRow(ctx, 42.5);
    await page.click('#refresh');
    request = await waitForDrawing(page, request);
    const drawn = await traces();
    assert.equal(drawn[sensor], 1, `the posted row is drawn as ${sensor}`);
    assert.deepEqual(drawn, await apiPointsPerSensor(ctx, request));
    const posted = await page.evaluate((name) => {
      const chart = document.getElementById('chart') as HTMLElement & { data: Array<{ name: string; y: number[] }> };
      return chart.data.find((t) => t.name === name)?.y;
    }, sensor);
    assert.deepEqual(posted, [42.5]);
    await screenshot(page, 'examples-plotly-6h-posted');

    await assertTokenOnlyInMemory(ctx, page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('D3: one line per sensor with the points the API returned; a range change and a POSTed row redraw it', async () => {
    const { page, problems } = await openExample(ctx, 'd3.html');
    /** Per sensor: the points the page says it drew, and the vertices of the drawn path. */
    const lines = () =>
      page.$$eval('#chart path.series', (paths) =>
        paths.map((p) => ({
          sensor: p.getAttribute('data-sensor') ?? '',
          points: Number(p.getAttribute('data-points')),
          vertices: (p.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0,
        }))
      );
    const assertLinesMatchApi = async (request: string) => {
      const expected = await apiPointsPerSensor(ctx, request);
      const drawn = await lines();
      assert.deepEqual(Object.fromEntries(drawn.map((l) => [l.sensor, l.points])), expected);
      for (const line of drawn) {
        assert.equal(line.vertices, line.points, `${line.sensor}: the path has a vertex per point`);
      }
      return drawn;
    };

    await connect(ctx, page);
    let request = (await page.getAttribute('#chart', 'data-request')) ?? '';
    const first = await assertLinesMatchApi(request);
    assert.ok(first.length >= 5, `${first.length} lines`);
    await screenshot(page, 'examples-d3-1h');

    await page.selectOption('#range', { label: 'Last 24 h' });
    request = await waitForDrawing(page, request);
    assert.match(request, /bucket=5m&agg=avg/);
    await assertLinesMatchApi(request);

    const sensor = await postRow(ctx, 7.25);
    await page.click('#refresh');
    request = await waitForDrawing(page, request);
    const drawn = await assertLinesMatchApi(request);
    assert.ok(
      drawn.some((l) => l.sensor === sensor && l.points === 1),
      `the posted row is drawn as ${sensor}`
    );
    await screenshot(page, 'examples-d3-24h-posted');

    await assertTokenOnlyInMemory(ctx, page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('says so on the page when the token is wrong', async () => {
    const { page } = await openExample(ctx, 'plotly.html');
    await page.fill('#token', 'not-a-token-of-this-gateway');
    await page.click('button[type=submit]');
    await page.waitForSelector('#chart[data-state=error]', { timeout: 30_000 });
    assert.match(await page.innerText('#status'), /401 Unknown token/);
    await page.close();
  });
});

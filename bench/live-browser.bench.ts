/**
 * Live panels end to end, in a browser: the built plugin in the harness's Grafana 13.1 page
 * (Debian's Chromium), the gateway as its own process on the real PostgreSQL, the stream going
 * through the harness's stand-in of Grafana's data proxy. Latency from a row's COMMIT to the
 * panel holding its point (the page's DOM after React committed the panel's new data), at
 * 10 rows/s, for rows POSTed through the gateway and rows INSERTed by another client.
 *
 * How arrivals are seen: a MutationObserver in the page records every change of the panel's
 * point count (`data-points`, the sum of its frames' lengths) with the page's clock; the k-th
 * row written arrives when the count first reaches baseline + k. Node and Chromium read the
 * same system clock (Date.now), so the two sides' times compare directly.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import type { GatewayProcess } from 'timescaledb-gateway/testing';
import { harnessIds } from '../e2e/harness/testIds';
import { startHarness, type Harness } from '../e2e/harness/stack';
import { chromiumUnavailable, launchChromium } from '../e2e/specs/support/browser';
import { createScratchDatabase, median, pacedWrites, percentile, sleep, startGateway } from './support';

const READER = randomBytes(16).toString('hex');
const WRITER = randomBytes(16).toString('hex');
const RATE = 10;
const SECONDS = Number(process.env.LIVE_BENCH_SECONDS) || 20;
const TABLE = 'live_browser_bench';
const HEADING = '## Live panels in a browser (`bench/live-browser.bench.ts`)';

const panelSelector = `[data-testid="${harnessIds.dashboardPanel}"][data-ref="A"]`;

declare global {
  interface Window {
    /** [Date.now(), point count] at every change of the panel's `data-points`. */
    __livePointCounts?: Array<[number, number]>;
  }
}

/** Opens the dashboard with one live panel over the bench table and waits for it to stream. */
async function openLivePanel(browser: Browser, harness: Harness): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const panel = {
    mode: 'builder',
    format: 'time_series',
    table: TABLE,
    metrics: [{ column: 'value', aggregation: 'none' }],
    live: true,
  };
  const search = new URLSearchParams({ from: 'now-15m', to: 'now', panel: JSON.stringify(panel) });
  await page.goto(`${harness.url}/dashboard?${search}`);
  await page.waitForSelector('body[data-harness-state="ready"]', { timeout: 60_000 });
  await page.waitForSelector(`${panelSelector}[data-state="Streaming"]`, { timeout: 60_000 });
  await page.evaluate((selector) => {
    const el = document.querySelector(selector)!;
    const counts: Array<[number, number]> = [[Date.now(), Number(el.getAttribute('data-points'))]];
    window.__livePointCounts = counts;
    new MutationObserver(() => counts.push([Date.now(), Number(el.getAttribute('data-points'))])).observe(el, {
      attributes: true,
      attributeFilter: ['data-points'],
    });
  }, panelSelector);
  return page;
}

/** Writes RATE rows/s for SECONDS; returns each row's commit time (Date.now after the write returned). */
const write = (insert: (value: number) => Promise<void>): Promise<number[]> =>
  pacedWrites(SECONDS * RATE, RATE, (n) => insert(n + Math.random() / 2), Date.now);

interface Latencies {
  ms: number[];
  missing: number;
}

/** Matches the k-th commit with the first moment the panel held baseline + k points. */
async function latencies(page: Page, baseline: number, commits: number[]): Promise<Latencies> {
  await sleep(2000); // the last rows' deltas are still on their way when the writing stops
  const counts = (await page.evaluate(() => window.__livePointCounts ?? [])) as Array<[number, number]>;
  const ms: number[] = [];
  let missing = 0;
  commits.forEach((at, k) => {
    const seen = counts.find(([, count]) => count >= baseline + k + 1);
    if (seen) {
      ms.push(seen[0] - at);
    } else {
      missing++;
    }
  });
  return { ms, missing };
}

const pointCount = async (page: Page) => Number(await page.getAttribute(panelSelector, 'data-points'));

export async function run(): Promise<string> {
  const unavailable = chromiumUnavailable();
  if (unavailable) {
    return `${HEADING}\n\nNot run: ${unavailable}.`;
  }
  const scratch = await createScratchDatabase('live_browser_bench');
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  let gateway: GatewayProcess | undefined;
  let harness: Harness | undefined;
  let browser: Browser | undefined;
  try {
    await client.query(
      `CREATE TABLE ${TABLE} (time timestamptz NOT NULL, sensor text NOT NULL, value double precision)`
    );
    // A few points of history, so the panel's first answer is not empty.
    await client.query(
      `INSERT INTO ${TABLE} SELECT now() - make_interval(secs => g * 10), 's0', -g FROM generate_series(1, 5) g`
    );
    gateway = await startGateway({
      DATABASE_URL: scratch.url,
      GATEWAY_TOKENS: `grafana:${READER}:read,sql;writer:${WRITER}:read,write`,
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      LOG_LEVEL: 'warn',
    });
    const gw = gateway;
    harness = await startHarness({
      runtime: 'grafana-13.1',
      gateway: {
        gatewayUrl: gw.url,
        token: READER,
        writeToken: WRITER,
        gateway: gw,
        sensors: ['s0'],
        running: () => gw.child.exitCode === null,
        stop: async () => undefined,
      },
    });
    browser = await launchChromium();
    const page = await openLivePanel(browser, harness);
    const load = loadavg()[0];

    const viaRest = async (value: number) => {
      const r = await fetch(`${gw.url}/timescaledb/data/${TABLE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WRITER}`, 'content-type': 'application/json' },
        body: JSON.stringify({ time: new Date().toISOString(), sensor: 's0', value }),
      });
      if (r.status !== 201) {
        throw new Error(`POST: ${r.status} ${await r.text()}`);
      }
    };
    const viaSql = async (value: number) =>
      void (await client.query(`INSERT INTO ${TABLE} VALUES (now(), 's0', $1)`, [value]));

    const restBaseline = await pointCount(page);
    const rest = await latencies(page, restBaseline, await write(viaRest));
    const sqlBaseline = await pointCount(page);
    const sql = await latencies(page, sqlBaseline, await write(viaSql));
    await page.close();

    const row = (name: string, l: Latencies) =>
      `| ${name} | ${l.ms.length} | ${l.missing} | ${median(l.ms).toFixed(0)} | ${percentile(l.ms, 0.99).toFixed(0)} | ${Math.max(...l.ms).toFixed(0)} |`;
    return [
      HEADING,
      '',
      `The built plugin in the Grafana ${harness.versions.grafana} harness page (React ${harness.versions.react}, Debian's Chromium, headless), one live panel, its stream through the data proxy stand-in; the gateway as its own process on the real PostgreSQL. Load average at start: ${load.toFixed(2)}.`,
      '',
      `Latency from a row's commit to the panel holding its point (the page's DOM after React rendered the panel's data), ${RATE} rows/s for ${SECONDS} s each:`,
      '',
      '| written by | rows seen | missing | p50 ms | p99 ms | max ms |',
      '|---|---|---|---|---|---|',
      row('REST POST (in-process hint)', rest),
      row('another client, INSERT (trigger NOTIFY)', sql),
      '',
      'The plugin sends a panel at most one update per 250 ms (`LIVE_THROTTLE_MS`), so a point waits up to that long in the browser after it arrived on the stream.',
    ].join('\n');
  } finally {
    await browser?.close().catch(() => undefined);
    await harness?.stop().catch(() => undefined);
    await gateway?.stop();
    await client.end().catch(() => undefined);
    await scratch.drop();
  }
}

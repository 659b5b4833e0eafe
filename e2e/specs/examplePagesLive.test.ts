/**
 * The example pages follow `POST /api/v1/stream` in headless Chromium: after the REST drawing
 * the Plotly traces and the D3 lines grow with rows POSTed to the demo gateway, without the
 * range being read again and without a point drawn twice, and when the connection drops (a TCP
 * proxy between the browser and the gateway cuts it) the page says so, reconnects with its last
 * cursor and draws the row written meanwhile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { startTcpProxy, type TcpProxy } from 'timescaledb-gateway/testing/tcp-proxy';

import { chromiumUnavailable } from './support/browser';
import {
  apiPointsPerSensor,
  connect,
  EXAMPLE_STACK_TIMEOUT_MS,
  exampleStack,
  newSensor,
  openExample,
  postRow,
  waitForDrawing,
  screenshot,
  type ExampleCtx,
} from './support/examplePages';

/** Per sensor, the times of the points drawn (epoch ms), read from the chart. */
type Drawn = Record<string, number[]>;

const plotlyPoints = (page: Page): Promise<Drawn> =>
  page.evaluate(() => {
    const chart = document.getElementById('chart') as HTMLElement & { data?: Array<{ name: string; x: unknown[] }> };
    return Object.fromEntries((chart.data ?? []).map((t) => [t.name, t.x.map((x) => new Date(x as string).getTime())]));
  });

/** D3 keeps no data on the element: the x of each vertex of a sensor's path stands for its time. */
const d3Points = (page: Page): Promise<Drawn> =>
  page.$$eval('#chart path.series', (paths) =>
    Object.fromEntries(
      paths.map((p) => [
        p.getAttribute('data-sensor') ?? '',
        [...(p.getAttribute('d') ?? '').matchAll(/[ML](-?[\d.]+(?:e-?\d+)?),/g)].map((m) => Number(m[1])),
      ])
    )
  );

const counts = (drawn: Drawn) => Object.fromEntries(Object.entries(drawn).map(([s, t]) => [s, t.length]));

const liveState = async (page: Page) => {
  const attr = async (name: string) => (await page.getAttribute('#live', name)) ?? '';
  return {
    state: await attr('data-state'),
    connections: Number(await attr('data-connections')),
    text: await page.innerText('#live'),
  };
};

/** Waits until the page's live line says `state` (and at least `connections` opened). */
const waitForLive = async (page: Page, state: string, connections = 1) => {
  const waiting = page.waitForFunction(
    ([want, opened]) => {
      const el = document.getElementById('live');
      return el?.dataset.state === want && Number(el.dataset.connections) >= Number(opened);
    },
    [state, String(connections)],
    { timeout: 60_000 }
  );
  await waiting.catch(async (err: Error) => {
    const now = await liveState(page);
    throw new Error(`the page's live line says "${now.text}" (${now.state}), not ${state}: ${err.message}`);
  });
};

const waitForPoints = async (page: Page, read: (p: Page) => Promise<Drawn>, sensor: string, n: number) => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const drawn = await read(page);
    if ((drawn[sensor]?.length ?? 0) === n) {
      return drawn;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${sensor} has ${drawn[sensor]?.length ?? 0} points, not ${n}; live: ${(await liveState(page)).text}`
      );
    }
    await page.waitForTimeout(100);
  }
};

const assertIncreasing = (drawn: Drawn) => {
  for (const [sensor, times] of Object.entries(drawn)) {
    for (let i = 1; i < times.length; i++) {
      assert.ok(times[i - 1] < times[i], `${sensor}: no point drawn twice (${i})`);
    }
  }
};

/** `gateway_live_streams` from the gateway's /metrics. */
const openLiveStreams = async (ctx: ExampleCtx): Promise<number> => {
  const res = await fetch(`${ctx.gateway.url}/metrics`, { headers: { authorization: `Bearer ${ctx.token}` } });
  return Number(/^gateway_live_streams (\d+)/m.exec(await res.text())?.[1] ?? NaN);
};

const untilStreams = async (ctx: ExampleCtx, want: (n: number) => boolean, what: string) => {
  const deadline = Date.now() + 15_000;
  let n = await openLiveStreams(ctx);
  while (!want(n)) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: the gateway has ${n} live streams open`);
    }
    await new Promise((r) => setTimeout(r, 100));
    n = await openLiveStreams(ctx);
  }
};

const suiteSkip = chromiumUnavailable();

describe('example pages grow with the live stream in Chromium', { skip: suiteSkip }, () => {
  const ctx = {} as ExampleCtx;
  let proxy: TcpProxy;
  before(
    async () => {
      Object.assign(ctx, await exampleStack());
      proxy = await startTcpProxy(0, Number(new URL(ctx.gateway.url).port));
    },
    { timeout: EXAMPLE_STACK_TIMEOUT_MS }
  );
  after(async () => proxy?.close());

  for (const [name, file, read] of [
    ['Plotly', 'plotly.html', plotlyPoints],
    ['D3', 'd3.html', d3Points],
  ] as const) {
    it(`${name}: POSTed rows extend the chart, and a dropped stream is resumed from its cursor`, async () => {
      const { page, problems } = await openExample(ctx, file, `http://127.0.0.1:${proxy.port}`);
      const restReads: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/timescaledb/data/')) {
          restReads.push(r.url());
        }
      });
      await connect(ctx, page);
      await waitForLive(page, 'live');
      const request = (await page.getAttribute('#chart', 'data-request')) ?? '';
      // The stream starts by re-sending the tail after the REST answer's newest row: nothing doubles.
      await page.waitForFunction(() => Number(document.getElementById('live')?.dataset.frames) >= 1);
      const first = await read(page);
      assert.deepEqual(counts(first), await apiPointsPerSensor(ctx, request));

      const sensor = newSensor();
      const at = (ago: number) => ({ sensor, at: new Date(Date.now() - ago) });
      await postRow(ctx, 21.5, at(3000));
      await waitForPoints(page, read, sensor, 1);
      await postRow(ctx, 22.5, at(2000));
      await postRow(ctx, 23.5, at(1000));
      await waitForPoints(page, read, sensor, 3);
      await postRow(ctx, 30.25, { sensor: 'sensor_1', at: new Date() });
      const grown = await waitForPoints(page, read, 'sensor_1', first.sensor_1.length + 1);
      assert.equal(restReads.length, 1, 'the rows came over the stream, not from a second REST read');
      await screenshot(page, `examples-${name.toLowerCase()}-live`);

      proxy.down();
      await waitForLive(page, 'reconnecting');
      assert.match((await liveState(page)).text, /reconnecting/);
      await postRow(ctx, 24.5, { sensor, at: new Date() });
      await page.waitForTimeout(500);
      proxy.up();
      await waitForLive(page, 'live', 2);
      const resumed = await waitForPoints(page, read, sensor, 4);
      assert.deepEqual(counts(resumed), { ...counts(grown), [sensor]: 4 }, 'only the row written meanwhile was added');
      assertIncreasing(resumed);
      assert.equal(restReads.length, 1, 'the reconnect read no range again');
      await screenshot(page, `examples-${name.toLowerCase()}-live-resumed`);

      // The cut connection's failed requests are logged by Chromium; anything else is a problem.
      assert.deepEqual(
        problems.filter((p) => !/net::ERR_/.test(p)),
        []
      );
      await page.close();
    });
  }

  it('Plotly: a zoom into the past pauses the stream (the gateway closes it); Refresh follows now again', async () => {
    const { page, problems } = await openExample(ctx, 'plotly.html');
    await connect(ctx, page);
    await waitForLive(page, 'live');
    await untilStreams(ctx, (n) => n === 1, 'the page follows the stream');

    let request = (await page.getAttribute('#chart', 'data-request')) ?? '';
    await page.evaluate(() => {
      const now = Date.now();
      const chart = document.getElementById('chart');
      const plotly = (window as unknown as { Plotly: { relayout: (el: unknown, update: object) => Promise<unknown> } })
        .Plotly;
      return plotly.relayout(chart, { 'xaxis.range': [new Date(now - 50 * 60_000), new Date(now - 40 * 60_000)] });
    });
    request = await waitForDrawing(page, request);
    await waitForLive(page, 'paused', 0);
    assert.match(await page.innerText('#live'), /paused/);
    await untilStreams(ctx, (n) => n === 0, 'a range in the past has no stream');

    await page.click('#refresh');
    await waitForDrawing(page, request);
    await waitForLive(page, 'live');
    await untilStreams(ctx, (n) => n === 1, 'Refresh follows now again');
    assert.deepEqual(problems, []);
    await page.close();
  });
});

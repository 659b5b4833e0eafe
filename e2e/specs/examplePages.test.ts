/**
 * The gateway's Plotly and D3 example pages in headless Chromium, against a gateway process
 * started in demo mode (embedded TimescaleDB, demo data, pages on): each draws one series per
 * sensor with exactly the points the REST API returns for the page's own request, a row
 * POSTed through the API shows after a redraw, and the strict Content-Security-Policy
 * holds (no violation reported, no console error). Growing with the live stream:
 * examplePagesLive.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { chromiumUnavailable } from './support/browser';
import {
  apiPointsPerSensor,
  assertTokenOnlyInMemory,
  connect,
  EXAMPLE_STACK_TIMEOUT_MS,
  exampleStack,
  openExample,
  postRow,
  screenshot,
  waitForDrawing,
  type ExampleCtx,
} from './support/examplePages';

const suiteSkip = chromiumUnavailable();

describe('example pages in Chromium', { skip: suiteSkip }, () => {
  const ctx = {} as ExampleCtx;
  before(async () => Object.assign(ctx, await exampleStack()), { timeout: EXAMPLE_STACK_TIMEOUT_MS });

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

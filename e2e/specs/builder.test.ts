import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';

import { labels } from '../../src/labels';
import { chooseOption, selectors } from './support/editor';
import { drawnSeries, panelErrors, panelRuns, waitForRun } from './support/panel';
import { browserSuite, openPage, screenshot, type SuiteContext } from './support/suite';

/** Makes a choice in the builder and waits for the run it triggers. */
const chooseAndRun = async (page: Page, testId: string, text: string) => {
  const runs = await panelRuns(page);
  await chooseOption(page, testId, text);
  const state = await waitForRun(page, runs);
  assert.equal(state, 'Done', `the run after choosing "${text}" failed: ${(await panelErrors(page)).join('; ')}`);
};

/**
 * Rows of one sensor every minute on 2020-01-01 00:00–00:20 and 00:40–00:59 UTC: a
 * 20-minute hole in a range of its own, far from the demo data that ends now.
 */
const GAP_FROM = Date.parse('2020-01-01T00:00:00Z');
const GAP_TO = Date.parse('2020-01-01T01:00:00Z');
const insertRowsWithGap = async (ctx: SuiteContext) => {
  const rows = [];
  for (let minute = 0; minute < 60; minute++) {
    if (minute > 20 && minute < 40) {
      continue;
    }
    rows.push({
      timestamp: new Date(GAP_FROM + minute * 60_000).toISOString(),
      sensor_id: 'sensor_1',
      temperature: 20 + minute / 10,
      humidity: 50,
    });
  }
  const response = await fetch(`${ctx.harness.gatewayUrl}/timescaledb/data/sensor_data`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.harness.writeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(rows),
  });
  assert.equal(response.status, 201, await response.text());
};

browserSuite('query builder', (ctx) => {
  it('draws one series per sensor for avg(temperature) grouped by sensor_id', async () => {
    const { page, pageErrors } = await openPage(ctx, '/query', { from: 'now-6h', to: 'now' });
    // A table alone is not a runnable query yet: nothing runs until a metric column is chosen.
    await chooseOption(page, selectors.builder.table, 'sensor_data');
    await chooseAndRun(page, selectors.builder.metricColumn, 'temperature');
    await chooseAndRun(page, selectors.builder.groupBy, 'sensor_id');
    await screenshot(page, 'builder-avg-temperature-by-sensor');

    const series = await drawnSeries(page);
    assert.equal(series.length, 5, JSON.stringify(series));
    for (let n = 1; n <= 5; n++) {
      assert.ok(
        series.some((s) => s.name.includes(`sensor_${n}`)),
        `no series for sensor_${n} in ${series.map((s) => s.name).join(', ')}`
      );
    }
    for (const s of series) {
      assert.ok(s.points > 10, `${s.name} has only ${s.points} points`);
      assert.equal(s.segments, 1, `${s.name} is drawn with gaps over demo data that has none`);
    }
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('fills a gap in the data with the previous value', async () => {
    await insertRowsWithGap(ctx);
    const { page, pageErrors } = await openPage(ctx, '/query', { from: String(GAP_FROM), to: String(GAP_TO) });
    await chooseOption(page, selectors.builder.table, 'sensor_data');
    await chooseAndRun(page, selectors.builder.metricColumn, 'temperature');
    await chooseAndRun(page, selectors.builder.bucket, '1m');

    // First the gap as it is: empty buckets as nulls break the line.
    await chooseAndRun(page, selectors.builder.fill, labels.builder.fill.options.null);
    await screenshot(page, 'builder-fill-null-shows-gap');
    const [withGap] = await drawnSeries(page);
    assert.ok(withGap, 'no series drawn');
    assert.ok(withGap.nulls >= 19, `expected the 19 empty minutes as nulls, got ${JSON.stringify(withGap)}`);
    assert.ok(withGap.segments >= 2, `the gap is not visible: ${JSON.stringify(withGap)}`);

    await chooseAndRun(page, selectors.builder.fill, labels.builder.fill.options.previous);
    await screenshot(page, 'builder-fill-previous-no-gap');
    const filled = await drawnSeries(page);
    assert.equal(filled.length, 1, JSON.stringify(filled));
    assert.equal(filled[0].nulls, 0, JSON.stringify(filled[0]));
    assert.equal(filled[0].segments, 1, `still drawn in pieces: ${JSON.stringify(filled[0])}`);
    assert.ok(filled[0].points >= withGap.points, `buckets went missing: ${JSON.stringify(filled[0])}`);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });
});

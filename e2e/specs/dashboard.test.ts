import assert from 'node:assert/strict';
import { it } from 'node:test';

import {
  annotationError,
  dashboardPanelErrors,
  dashboardPanelRows,
  dashboardPanelSeries,
  dashboardPanelState,
  openDashboard,
  SENSOR_PANEL,
  shownAnnotations,
} from './support/dashboard';
import { browserSuite, screenshot } from './support/suite';

const SALES_PANEL = {
  mode: 'builder',
  format: 'table',
  table: 'sales_data',
  metrics: [{ column: 'quantity', aggregation: 'sum' }],
  groupBy: ['product_id'],
};

const ANNOTATION_SQL =
  "SELECT timestamp AS time, 'reading of ' || sensor_id AS text, sensor_id AS label, 'demo,' || sensor_id AS tags FROM sensor_data WHERE $__timeFilter(timestamp) AND sensor_id = 'sensor_1' ORDER BY timestamp DESC LIMIT 3";
const annotation = (mappings?: Record<string, unknown>) => ({
  name: 'Readings',
  enable: true,
  iconColor: 'red',
  target: { refId: 'Anno', mode: 'sql', format: 'table', rawSql: ANNOTATION_SQL },
  ...(mappings ? { mappings } : {}),
});

browserSuite('a dashboard with panels on two tables', (ctx) => {
  it('applies an ad hoc filter on sensor_id to the sensor_data panel only; the sales_data panel still renders', async () => {
    const plain = await openDashboard(ctx, { panels: [SENSOR_PANEL, SALES_PANEL] });
    const allSensors = await dashboardPanelSeries(plain.page, 'A');
    const salesRows = await dashboardPanelRows(plain.page, 'B');
    await plain.page.close();
    assert.ok(allSensors.length > 1, `series: ${allSensors}`);
    assert.ok(salesRows > 0);

    const filtered = await openDashboard(ctx, {
      panels: [SENSOR_PANEL, SALES_PANEL],
      filters: [['sensor_id', '=', 'sensor_2']],
    });
    await screenshot(filtered.page, 'dashboard-adhoc-filter');
    for (const refId of ['A', 'B']) {
      assert.equal(
        await dashboardPanelState(filtered.page, refId),
        'Done',
        (await dashboardPanelErrors(filtered.page, refId)).join('; ')
      );
    }
    const series = await dashboardPanelSeries(filtered.page, 'A');
    assert.equal(series.length, 1, `series: ${series}`);
    assert.match(series[0], /sensor_2/);
    assert.equal(await dashboardPanelRows(filtered.page, 'B'), salesRows);
    assert.deepEqual(filtered.pageErrors, []);
    await filtered.page.close();
  });

  it('shows annotations through Grafana’s standard processing, so a field mapping changes what is shown', async () => {
    const byDefault = await openDashboard(ctx, { panels: [], annotation: annotation() });
    assert.equal(await annotationError(byDefault.page), null);
    const plain = await shownAnnotations(byDefault.page);
    await byDefault.page.close();
    assert.equal(plain.length, 3);
    for (const event of plain) {
      assert.equal(event.text, 'reading of sensor_1');
      assert.equal(event.tags, 'demo,sensor_1');
    }

    const mapped = await openDashboard(ctx, {
      panels: [],
      annotation: annotation({ text: { source: 'field', value: 'label' }, tags: { source: 'text', value: 'mapped' } }),
    });
    await screenshot(mapped.page, 'dashboard-annotation-mapping');
    const events = await shownAnnotations(mapped.page);
    assert.equal(events.length, 3);
    assert.deepEqual(
      events.map((e) => e.time),
      plain.map((e) => e.time)
    );
    for (const event of events) {
      assert.equal(event.text, 'sensor_1');
      assert.equal(event.tags, 'mapped');
    }
    assert.deepEqual(mapped.pageErrors, []);
    await mapped.page.close();
  });
});

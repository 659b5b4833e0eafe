import assert from 'node:assert/strict';
import { it } from 'node:test';

import {
  byTestId,
  chooseOption,
  monacoText,
  normaliseSql,
  runSqlWithKeyboard,
  selectors,
  switchMode,
  typeSql,
} from './support/editor';
import { drawnSeries, executedSql, panelErrors, panelRuns, tableRowCount, waitForRun } from './support/panel';
import { browserSuite, openPage, screenshot } from './support/suite';

const PER_SENSOR_SQL =
  'SELECT $__timeGroupAlias(timestamp, 5m), sensor_id, avg(temperature) AS temperature ' +
  'FROM sensor_data WHERE $__timeFilter(timestamp) GROUP BY 1, 2 ORDER BY 1';

browserSuite('SQL editor', (ctx) => {
  it("carries the gateway's rendering of the builder into Monaco", async () => {
    const { page, pageErrors } = await openPage(ctx, '/query', { from: 'now-6h', to: 'now' });
    await chooseOption(page, selectors.builder.table, 'sensor_data');
    let runs = await panelRuns(page);
    await chooseOption(page, selectors.builder.metricColumn, 'temperature');
    await waitForRun(page, runs);
    runs = await panelRuns(page);
    await chooseOption(page, selectors.builder.groupBy, 'sensor_id');
    await waitForRun(page, runs);
    // The gateway renders the preview a moment after the last edit.
    await page
      .locator(`${byTestId(selectors.builder.sqlPreview)}[aria-busy="false"]`)
      .filter({ hasText: '"sensor_id"' })
      .waitFor();
    const preview = normaliseSql(await page.locator(byTestId(selectors.builder.sqlPreview)).innerText());
    assert.match(preview, /\$__timeFilter\("timestamp"\)/);
    assert.match(preview, /"g0" AS "sensor_id", "m0" AS "avg\(temperature\)"/);

    await switchMode(page, 'SQL');
    await page
      .locator(`${byTestId(selectors.sqlEditor.root)} .view-line`)
      .first()
      .waitFor();
    await screenshot(page, 'sql-from-builder');
    assert.equal(normaliseSql(await monacoText(page)), preview);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('runs a query with $__timeFilter and $__timeGroupAlias on Ctrl+Enter', async () => {
    const { page, pageErrors } = await openPage(ctx, '/query', { from: 'now-6h', to: 'now' });
    await switchMode(page, 'SQL');
    await typeSql(page, PER_SENSOR_SQL);
    const runs = await panelRuns(page);
    await runSqlWithKeyboard(page);
    const state = await waitForRun(page, runs);
    await screenshot(page, 'sql-macros-ctrl-enter');

    assert.equal(state, 'Done', (await panelErrors(page)).join('; '));
    assert.ok((await tableRowCount(page)) > 0, 'no rows in the table');
    const series = await drawnSeries(page);
    assert.equal(series.length, 5, JSON.stringify(series));
    const [sql] = await executedSql(page);
    assert.ok(sql, 'the executed SQL is not shown');
    assert.doesNotMatch(sql, /\$__/, 'macros left unexpanded');
    assert.match(sql, /sensor_data/);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('shows the error of an unknown macro', async () => {
    const { page, pageErrors } = await openPage(ctx, '/query', { from: 'now-6h', to: 'now' });
    await switchMode(page, 'SQL');
    await typeSql(
      page,
      'SELECT $__notAMacro(timestamp) AS time, temperature FROM sensor_data WHERE $__timeFilter(timestamp)'
    );
    const runs = await panelRuns(page);
    await runSqlWithKeyboard(page);
    const state = await waitForRun(page, runs);
    await screenshot(page, 'sql-unknown-macro');

    assert.equal(state, 'Error');
    const errors = await panelErrors(page);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /\$__notAMacro|__notAMacro/);
    assert.deepEqual(await drawnSeries(page), []);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });
});

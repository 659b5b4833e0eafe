import assert from 'node:assert/strict';
import { it } from 'node:test';

import { harnessIds } from '../harness/testIds';
import { chooseOption, runSqlWithKeyboard, switchMode, typeSql } from './support/editor';
import { drawnSeries, executedSql, panelErrors, panelRuns, waitForRun } from './support/panel';
import { browserSuite, openPage, screenshot } from './support/suite';

const BY_SENSOR_VARIABLE_SQL =
  'SELECT $__timeGroupAlias(timestamp, 5m), sensor_id, avg(temperature) AS temperature ' +
  'FROM sensor_data WHERE $__timeFilter(timestamp) AND sensor_id IN ($sensor) GROUP BY 1, 2 ORDER BY 1';

const seriesNames = async (page: Parameters<typeof drawnSeries>[0]) =>
  (await drawnSeries(page)).map((s) => s.name.match(/sensor_\d+/)?.[0] ?? s.name).sort();

browserSuite('template variables', (ctx) => {
  it('shows the series of the values chosen in a multi-value variable', async () => {
    const { page, pageErrors } = await openPage(ctx, '/query', { from: 'now-3h', to: 'now', 'var-sensor': 'sensor_3' });
    await switchMode(page, 'SQL');
    await typeSql(page, BY_SENSOR_VARIABLE_SQL);
    let runs = await panelRuns(page);
    await runSqlWithKeyboard(page);
    assert.equal(await waitForRun(page, runs), 'Done', (await panelErrors(page)).join('; '));
    await screenshot(page, 'variable-one-value');
    assert.deepEqual(await seriesNames(page), ['sensor_3']);

    // A second value, chosen in the dashboard's variable picker, re-runs the panel.
    runs = await panelRuns(page);
    await chooseOption(page, harnessIds.variablePicker, 'sensor_5');
    assert.equal(await waitForRun(page, runs), 'Done', (await panelErrors(page)).join('; '));
    await page.keyboard.press('Escape');
    await screenshot(page, 'variable-two-values');
    assert.deepEqual(await seriesNames(page), ['sensor_3', 'sensor_5']);
    const [sql] = await executedSql(page);
    assert.match(sql, /'sensor_3'\s*,\s*'sensor_5'/, `the values are not quoted as SQL strings: ${sql}`);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });
});

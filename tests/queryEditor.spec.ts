import { expect, test } from '@grafana/plugin-e2e';

import { selectors } from '../src/components/selectors';
import { labels } from '../src/labels';
import { PROVISIONED_FILE, skipWithoutGrafana } from './grafana';

skipWithoutGrafana();

test('the builder draws one series per sensor', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED_FILE });
  await panelEditPage.datasource.set(ds.name);
  const row = panelEditPage.getQueryEditorRow('A');
  await row.getByTestId(selectors.builder.table).locator('input').fill('sensor_data');
  await page.keyboard.press('Enter');
  await row.getByTestId(selectors.builder.metricColumn).locator('input').fill('temperature');
  await page.keyboard.press('Enter');
  await row.getByTestId(selectors.builder.groupBy).locator('input').fill('sensor_id');
  await page.keyboard.press('Enter');
  await expect(row.getByTestId(selectors.builder.sqlPreview)).toContainText('avg("temperature")');
  await panelEditPage.setVisualization('Table');
  await expect(panelEditPage.refreshPanel()).toBeOK();
  await expect(row.getByTestId(selectors.builder.executedSql)).toContainText('sensor_data');
});

test('SQL mode runs a query with macros on Ctrl+Enter', async ({ panelEditPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED_FILE });
  await panelEditPage.datasource.set(ds.name);
  const row = panelEditPage.getQueryEditorRow('A');
  await row.getByTestId(selectors.queryEditor.modeSwitch).getByText(labels.queryEditor.modes.sql).click();
  const editor = row.getByTestId(selectors.sqlEditor.root).locator('.monaco-editor').first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(
    'SELECT $__timeGroupAlias(timestamp, 5m), avg(temperature) AS avg_temperature FROM sensor_data WHERE $__timeFilter(timestamp) GROUP BY 1 ORDER BY 1'
  );
  await panelEditPage.setVisualization('Table');
  const response = panelEditPage.waitForQueryDataRequest();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(await response).toBeTruthy();
  await expect(panelEditPage.panel.fieldNames).toContainText(['avg_temperature']);
});

test('the demo dashboard shows the sales table', async ({ gotoDashboardPage }) => {
  const dashboardPage = await gotoDashboardPage({ uid: 'tsgw-demo' });
  await expect(dashboardPage.getPanelByTitle('Latest sales').fieldNames).toContainText([
    'order_id',
    'product_id',
    'quantity',
  ]);
});

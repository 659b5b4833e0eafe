import { expect, test } from '@grafana/plugin-e2e';

import { selectors } from '../src/components/selectors';
import { labels } from '../src/labels';
import { PROVISIONED_FILE, skipWithoutGrafana } from './grafana';

skipWithoutGrafana();

test('renders the gateway URL and token fields', async ({
  createDataSourceConfigPage,
  readProvisionedDataSource,
  page,
}) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED_FILE });
  await createDataSourceConfigPage({ type: ds.type });
  await expect(page.getByTestId(selectors.configEditor.url)).toBeVisible();
  await expect(page.getByLabel(labels.config.token.label)).toBeVisible();
});

test('"Save & test" of the provisioned data source reports the database versions', async ({
  gotoDataSourceConfigPage,
  readProvisionedDataSource,
}) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED_FILE });
  const configPage = await gotoDataSourceConfigPage(ds.uid);
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: /PostgreSQL .* token "grafana"/ });
});

test('"Save & test" names a wrong token', async ({ createDataSourceConfigPage, readProvisionedDataSource, page }) => {
  const ds = await readProvisionedDataSource({ fileName: PROVISIONED_FILE });
  const configPage = await createDataSourceConfigPage({ type: ds.type });
  await page.getByTestId(selectors.configEditor.url).fill(ds.jsonData.url as string);
  await page.getByLabel(labels.config.token.label).fill('not-the-token');
  await configPage.saveAndTest();
  await expect(configPage).toHaveAlert('error', { hasText: '401' });
});

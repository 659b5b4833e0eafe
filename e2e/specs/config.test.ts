import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';

import { harnessIds, HARNESS_DATASOURCE_UID } from '../harness/testIds';
import { byTestId, selectors } from './support/editor';
import { browserSuite, openPage, screenshot } from './support/suite';

/** Types a URL and a fresh token into the plugin's ConfigEditor and presses Save & test. */
const saveAndTest = async (page: Page, url: string, token: string) => {
  const urlInput = page.locator(byTestId(selectors.configEditor.url));
  await urlInput.fill(url);
  const tokenField = page.locator(byTestId(selectors.configEditor.token));
  const reset = tokenField.getByRole('button', { name: 'Reset' });
  if (await reset.count()) {
    await reset.click();
  }
  await tokenField.locator('input').fill(token);
  await page.locator(byTestId(harnessIds.saveAndTest)).click();
  const result = page.locator(byTestId(harnessIds.testResult));
  await result.waitFor({ timeout: 30_000 });
  return { status: await result.getAttribute('data-status'), text: await result.innerText() };
};

browserSuite('data source settings: Save & test', (ctx) => {
  it('reports the database and the token scopes with a valid token', async () => {
    const { page, pageErrors } = await openPage(ctx, '/config');
    const result = await saveAndTest(page, ctx.harness.gatewayUrl, ctx.harness.token);
    await screenshot(page, 'config-save-and-test-ok');

    assert.equal(result.status, 'success', result.text);
    assert.match(result.text, /PostgreSQL \d+/);
    assert.match(result.text, /TimescaleDB \d+\.\d+/);
    assert.match(result.text, /"harness" \(read, sql\)/);
    // Like Grafana, the secret is kept on the server and the browser only learns that it is set.
    const saved = ctx.harness.pageServer.datasource();
    assert.equal(saved.secureJsonData.token, ctx.harness.token);
    const publicSettings = await (
      await fetch(`${ctx.harness.url}/api/datasources/uid/${HARNESS_DATASOURCE_UID}`)
    ).json();
    assert.equal(JSON.stringify(publicSettings).includes(ctx.harness.token), false);
    assert.deepEqual(publicSettings.secureJsonFields, { token: true });
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('says the token was rejected when it is wrong', async () => {
    const { page, pageErrors } = await openPage(ctx, '/config');
    const result = await saveAndTest(page, ctx.harness.gatewayUrl, 'not-the-right-token');
    await screenshot(page, 'config-save-and-test-bad-token');

    assert.equal(result.status, 'error', result.text);
    assert.match(result.text, /rejected the token \(401\)/);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('says the gateway cannot be reached when nothing listens at the URL', async () => {
    const { page } = await openPage(ctx, '/config');
    // Port 9 (discard) on the loopback has no listener here.
    const result = await saveAndTest(page, 'http://127.0.0.1:9', ctx.harness.token);
    await screenshot(page, 'config-save-and-test-unreachable');

    assert.equal(result.status, 'error', result.text);
    assert.match(result.text, /Cannot reach the gateway at http:\/\/127\.0\.0\.1:9/);
    await page.close();
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';

import { HARNESS_DATASOURCE_UID } from '../harness/testIds';
import { saveAndTest } from './support/settings';
import { browserSuite, openPage, screenshot } from './support/suite';

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
    // Through Grafana's data proxy the gateway's 401 arrives as 400 "Authentication to data source failed".
    assert.match(result.text, /Token rejected/);
    assert.doesNotMatch(result.text, /HTTP 400/);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });

  it('says the gateway cannot be reached when nothing listens at the URL', async () => {
    const { page } = await openPage(ctx, '/config');
    // Port 9 (discard) on the loopback has no listener here.
    const result = await saveAndTest(page, 'http://127.0.0.1:9', ctx.harness.token);
    await screenshot(page, 'config-save-and-test-unreachable');

    assert.equal(result.status, 'error', result.text);
    assert.match(result.text, /Gateway unreachable at http:\/\/127\.0\.0\.1:9/);
    assert.doesNotMatch(result.text, /Bad Gateway/);
    await page.close();
  });

  it('warns when the token may write or administer the gateway', async () => {
    const { page, pageErrors } = await openPage(ctx, '/config');
    const result = await saveAndTest(page, ctx.harness.gatewayUrl, ctx.harness.writeToken);
    await screenshot(page, 'config-save-and-test-write-token');

    assert.equal(result.status, 'warning', result.text);
    assert.match(result.text, /Connected\./);
    assert.match(result.text, /has the write scope/);
    assert.deepEqual(pageErrors, []);
    await page.close();
  });
});

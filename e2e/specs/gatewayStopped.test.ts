import assert from 'node:assert/strict';
import { it } from 'node:test';

import { dashboardPanelErrors, dashboardPanelState, openDashboard, SENSOR_PANEL } from './support/dashboard';
import { saveAndTest } from './support/settings';
import { browserSuite, openPage, screenshot } from './support/suite';

/**
 * The gateway goes away while the dashboard is open: Grafana's data proxy then answers 502
 * with no body, which its client turns into `{message: "Bad Gateway"}` — the plugin must
 * say the gateway is unreachable, and where, instead of echoing that.
 */

browserSuite('a stopped gateway', (ctx) => {
  it('is reported as unreachable by Save & test and by the panel', async () => {
    await ctx.harness.gateway.stop();

    const { page } = await openPage(ctx, '/config');
    const result = await saveAndTest(page, ctx.harness.gatewayUrl, ctx.harness.token);
    await screenshot(page, 'gateway-stopped-save-and-test');
    assert.equal(result.status, 'error', result.text);
    assert.match(result.text, new RegExp(`Gateway unreachable at ${ctx.harness.gatewayUrl.replace(/[.]/g, '\\.')}`));
    assert.match(result.text, /HTTP 502/);
    assert.doesNotMatch(result.text, /Bad Gateway/);
    await page.close();

    const panel = await openDashboard(ctx, { panels: [SENSOR_PANEL] });
    await screenshot(panel.page, 'gateway-stopped-panel');
    assert.equal(await dashboardPanelState(panel.page, 'A'), 'Error');
    const errors = await dashboardPanelErrors(panel.page, 'A');
    assert.equal(errors.length, 1);
    assert.match(errors[0], new RegExp(`Gateway unreachable at ${ctx.harness.gatewayUrl.replace(/[.]/g, '\\.')}`));
    await panel.page.close();
  });
});

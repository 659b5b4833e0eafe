import assert from 'node:assert/strict';
import { it } from 'node:test';

import {
  dashboardPanelPoints,
  dashboardPanelState,
  openDashboard,
  toggleDashboardPanelLive,
} from './support/dashboard';
import { browserSuite, screenshot, type SuiteContext } from './support/suite';

interface CatalogColumn {
  name: string;
  kind: string;
  nullable: boolean;
}

const gatewayGet = async <T>(ctx: SuiteContext, path: string): Promise<T> => {
  const response = await fetch(`${ctx.harness.gatewayUrl}${path}`, {
    headers: { authorization: `Bearer ${ctx.harness.token}` },
  });
  assert.equal(response.status, 200, path);
  return (await response.json()) as T;
};

/** A demo table with a time and a number column, found through the catalog (names may change). */
const pickTable = async (ctx: SuiteContext) => {
  const { tables } = await gatewayGet<{ tables: Array<{ name: string; kind: string; timeColumn: string | null }> }>(
    ctx,
    '/api/v1/catalog'
  );
  for (const t of tables.filter((x) => (x.kind === 'hypertable' || x.kind === 'table') && x.timeColumn)) {
    const { columns } = await gatewayGet<{ columns: CatalogColumn[] }>(
      ctx,
      `/api/v1/catalog/${encodeURIComponent(t.name)}/columns`
    );
    const metric = columns.find((c) => c.kind === 'number' && c.name !== t.timeColumn);
    if (metric) {
      return { table: t.name, timeColumn: t.timeColumn!, metric: metric.name, columns };
    }
  }
  throw new Error('no demo table with a time and a number column');
};

const openLiveStreams = async (ctx: SuiteContext): Promise<number> => {
  const text = await (await fetch(`${ctx.harness.gatewayUrl}/metrics`)).text();
  return Number(/^gateway_live_streams (\d+)/m.exec(text)?.[1] ?? NaN);
};

const until = async (what: string, check: () => Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

browserSuite('live panels', (ctx) => {
  it('grows a live panel’s points as rows are POSTed, without running its query again; Live off closes the stream', async () => {
    const t = await pickTable(ctx);
    const post = async (value: number) => {
      const row: Record<string, unknown> = { [t.timeColumn]: new Date().toISOString(), [t.metric]: value };
      for (const c of t.columns.filter((c) => !c.nullable && !(c.name in row))) {
        row[c.name] = c.kind === 'number' ? value : c.kind === 'boolean' ? false : `live_e2e_${value}`;
      }
      const response = await fetch(`${ctx.harness.gatewayUrl}/timescaledb/data/${encodeURIComponent(t.table)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.harness.writeToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(row),
      });
      assert.equal(response.status, 201, await response.text());
    };
    const panel = {
      mode: 'builder',
      format: 'time_series',
      table: t.table,
      metrics: [{ column: t.metric, aggregation: 'none' }],
      live: true,
    };
    const opened = await openDashboard(ctx, { panels: [panel], from: 'now-1h', to: 'now' });
    const { page } = opened;
    const queryRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/gateway/api/v1/query')) {
        queryRequests.push(r.url());
      }
    });
    await until('the panel to stream', async () => (await dashboardPanelState(page, 'A')) === 'Streaming');
    await until('the gateway to hold the stream', async () => (await openLiveStreams(ctx)) === 1);
    const before = await dashboardPanelPoints(page, 'A');
    for (let i = 1; i <= 3; i++) {
      await post(3_000_000 + i * 1000 + Math.floor(Math.random() * 1000));
      await until(`point ${i} on the panel`, async () => (await dashboardPanelPoints(page, 'A')) === before + i);
    }
    await screenshot(page, 'live-panel-streaming');
    assert.deepEqual(queryRequests, [], 'the points came over the stream, not by running the query again');

    await toggleDashboardPanelLive(page, 'A');
    await until('the panel to settle without Live', async () => (await dashboardPanelState(page, 'A')) === 'Done');
    await until('no open stream on the gateway', async () => (await openLiveStreams(ctx)) === 0);
    assert.deepEqual(opened.pageErrors, []);
    await page.close();
  });
});

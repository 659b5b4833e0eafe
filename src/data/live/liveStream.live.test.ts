import { LoadingState, type DataQueryResponse } from '@grafana/data';
import type { CatalogResponse, ColumnsResponse } from 'timescaledb-gateway/contract';

import { backendSrv } from '__testing__/grafanaRuntime';
import { createLiveDataSource, liveGateway } from '__testing__/liveDataSource';
import { makeRequest } from '__testing__/request';
import type { Aggregation, TsQuery } from 'types/query';

jest.mock('@grafana/runtime', () => require('__testing__/grafanaRuntime').runtimeMock());

/** Straight to the gateway (not through the plugin), as a writer elsewhere would. */
const gateway = async <T>(path: string, init: { token?: string; body?: unknown } = {}): Promise<T> => {
  const { url, token } = liveGateway();
  const response = await fetch(`${url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${init.token ?? token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (response.status >= 300) {
    throw new Error(`${path}: ${response.status} ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
};

/** A table of the demo data found through the catalog (its column names may change). */
const pickTable = async () => {
  const { tables } = await gateway<CatalogResponse>('/api/v1/catalog');
  for (const t of tables.filter((x) => (x.kind === 'hypertable' || x.kind === 'table') && x.timeColumn)) {
    const { columns } = await gateway<ColumnsResponse>(`/api/v1/catalog/${encodeURIComponent(t.name)}/columns`);
    const metric = columns.find((c) => c.kind === 'number' && c.name !== t.timeColumn);
    if (metric) {
      return { table: t.name, timeColumn: t.timeColumn!, metric: metric.name, columns };
    }
  }
  throw new Error('no table with a time and a number column in the demo data');
};

const liveStreams = async (): Promise<number> => {
  const { url } = liveGateway();
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^gateway_live_streams (\d+)/m.exec(text)?.[1] ?? NaN);
};

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
};

const points = (response: DataQueryResponse | undefined, metric: string): unknown[] =>
  (response?.data ?? []).flatMap((f) =>
    f.fields
      .filter((field: { name: string }) => field.name === metric)
      .flatMap((field: { values: unknown[] }) => [...field.values])
  );

describe('live queries through the data proxy (getBackendSrv().chunked())', () => {
  it('shows the history, then the rows POSTed afterwards, without running the query again', async () => {
    const t = await pickTable();
    const row = (value: number) => {
      const r: Record<string, unknown> = { [t.timeColumn]: new Date().toISOString(), [t.metric]: value };
      for (const c of t.columns.filter((c) => !c.nullable && !(c.name in r))) {
        r[c.name] = c.kind === 'number' ? value : c.kind === 'boolean' ? false : `live_test_${value}`;
      }
      return r;
    };
    const ds = createLiveDataSource();
    const query: TsQuery = {
      refId: 'A',
      mode: 'builder',
      format: 'time_series',
      table: t.table,
      metrics: [{ column: t.metric, aggregation: 'none' }],
      live: true,
    };
    const responses: DataQueryResponse[] = [];
    const before = backendSrv.log.length;
    const subscription = ds
      .query(makeRequest([query], { hours: 1, intervalMs: 1000, maxDataPoints: 100_000 }))
      .subscribe((r) => responses.push(r));
    try {
      await waitFor('the history', () => responses.length > 0);
      expect(responses[0].state).toBe(LoadingState.Streaming);
      await waitFor('the stream to open', () => ds.live.connected);
      await waitFor('the gateway to hold the stream', async () => (await liveStreams()) === 1);
      const history = points(responses.at(-1), t.metric).length;
      // Integers: the column may be one.
      const values = [1, 2, 3].map((i) => 1_000_000 + i * 1000 + Math.floor(Math.random() * 1000));
      for (const [i, v] of values.entries()) {
        await gateway(`/timescaledb/data/${encodeURIComponent(t.table)}`, {
          token: liveGateway().writeToken,
          body: row(v),
        });
        await waitFor(`row ${i + 1} in the panel`, () => points(responses.at(-1), t.metric).includes(v));
        expect(points(responses.at(-1), t.metric).length).toBe(history + i + 1);
      }
      expect(responses.at(-1)!.state).toBe(LoadingState.Streaming);
      const requests = backendSrv.log.slice(before).map((r) => r.url.replace(/^.*\/gateway\//, ''));
      expect(requests.filter((u) => u === 'api/v1/query')).toHaveLength(1);
      expect(requests.filter((u) => u === 'api/v1/stream')).toHaveLength(1);
    } finally {
      subscription.unsubscribe();
    }
    // Unsubscribing (Live off, panel gone) aborts the request: the gateway holds no stream.
    expect(ds.live.connected).toBe(false);
    await waitFor('the gateway to drop the stream', async () => (await liveStreams()) === 0);
  });

  it('multiplexes the live queries of several panels over one connection', async () => {
    const t = await pickTable();
    const ds = createLiveDataSource();
    const panel = (refId: string, aggregation: Aggregation): TsQuery => ({
      refId,
      mode: 'builder',
      format: 'time_series',
      table: t.table,
      metrics: [{ column: t.metric, aggregation }],
      bucket: '1m',
      live: true,
    });
    const got: DataQueryResponse[][] = [[], [], []];
    const subs = (['avg', 'max', 'min'] as const).map((agg, i) =>
      ds.query(makeRequest([panel('A', agg)], { hours: 1 })).subscribe((r) => got[i].push(r))
    );
    try {
      await waitFor('three panels on the stream', () => ds.live.size === 3 && ds.live.connected);
      // A panel subscribing after the first connect reopens the stream once more (its body
      // cannot change): wait for the last reopen, seen as no new open while the gateway holds one.
      await waitFor('one settled stream on the gateway', async () => {
        const opened = ds.live.opened;
        const held = await liveStreams();
        await new Promise((r) => setTimeout(r, 200));
        return held === 1 && ds.live.opened === opened && ds.live.connected && (await liveStreams()) === 1;
      });
      expect(ds.live.size).toBe(3);
    } finally {
      subs.forEach((s) => s.unsubscribe());
    }
    await waitFor('the gateway to drop the stream', async () => (await liveStreams()) === 0);
  });

  it('keeps a query that is not live, or whose range does not end at now, on the ordinary path', async () => {
    const t = await pickTable();
    const ds = createLiveDataSource();
    const query: TsQuery = {
      refId: 'A',
      mode: 'builder',
      table: t.table,
      metrics: [{ column: t.metric, aggregation: 'avg' }],
      live: true,
    };
    const request = makeRequest([query]);
    const fixed = { ...request, range: { ...request.range, raw: { from: request.range.from, to: request.range.to } } };
    const responses: DataQueryResponse[] = [];
    await new Promise<void>((resolve) =>
      ds.query(fixed).subscribe({ next: (r) => responses.push(r), complete: resolve })
    );
    expect(responses.map((r) => r.state)).toEqual([LoadingState.Done]);
    expect(ds.live.connected).toBe(false);
  });
});

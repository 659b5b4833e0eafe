import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api, qs } from './helpers/http';
import { createFixtures } from './helpers/fixtures';

forEachDatabase(
  (getCtx) => {
    const get = (path: string, headers?: Record<string, string>) => api<any>(getCtx(), path, { headers });

    it('returns rows as a JSON array of objects, newest first by default', async () => {
      const res = await get('/timescaledb/data/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /application\/json/);
      assert.equal(res.body.length, 18);
      assert.deepEqual(Object.keys(res.body[0]), ['time', 'device', 'value', 'count']);
      assert.equal(res.body[0].time, '2024-01-01T00:50:00.000Z');
      assert.equal(res.body.at(-1)!.time, '2024-01-01T00:00:00.000Z');
    });

    it('filters with eq, neq, lt, lte, gt, gte, in, like and is', async () => {
      const cases: Array<[string, string, number]> = [
        ['device', 'eq.d1', 6],
        ['device', 'neq.d1', 12],
        ['value', 'lt.12', 2],
        ['value', 'lte.12', 3],
        ['value', 'gt.33', 2],
        ['value', 'gte.33', 3],
        ['device', 'in.(d1,d3)', 12],
        ['device', 'in.d2', 6],
        ['device', 'like.d*', 18],
        ['value', 'is.null', 1],
        ['value', 'is.notnull', 17],
      ];
      for (const [col, filter, expected] of cases) {
        const res = await get(`/timescaledb/data/metrics${qs([[col, filter]])}`);
        assert.equal(res.status, 200, `${col}=${filter}: ${res.text}`);
        assert.equal(res.body.length, expected, `${col}=${filter}`);
      }
    });

    it('combines several filters, also on the same column', async () => {
      const res = await get(
        `/timescaledb/data/metrics${qs([
          ['value', 'gte.20'],
          ['value', 'lt.24'],
          ['device', 'eq.d2'],
        ])}`
      );
      assert.deepEqual(res.body.map((r: any) => r.value).sort(), [20, 21, 22, 23]);
    });

    it('selects columns, orders, limits and offsets', async () => {
      const res = await get(
        `/timescaledb/data/metrics${qs([
          ['columns', 'device,value'],
          ['order', 'value.desc.nullslast,device'],
          ['limit', '3'],
          ['offset', '1'],
        ])}`
      );
      assert.deepEqual(res.body, [
        { device: 'd3', value: 34 },
        { device: 'd3', value: 33 },
        { device: 'd3', value: 31 },
      ]);
    });

    it('applies from/to to the time column (ISO-8601 or epoch ms, inclusive)', async () => {
      const from = Date.parse('2024-01-01T00:10:00Z');
      const res = await get(
        `/timescaledb/data/metrics${qs([
          ['from', String(from)],
          ['to', '2024-01-01T00:20:00Z'],
          ['device', 'eq.d1'],
          ['order', 'time'],
        ])}`
      );
      assert.deepEqual(
        res.body.map((r: any) => r.time),
        ['2024-01-01T00:10:00.000Z', '2024-01-01T00:20:00.000Z']
      );
    });

    it('uses the default row limit and caps limit at the maximum', async () => {
      assert.equal((await get('/timescaledb/data/metrics')).body.length, 18);
      const capped = await get('/timescaledb/data/metrics?limit=500');
      assert.equal(capped.status, 200);
      assert.equal(capped.body.length, 18);
      const { app } = getCtx();
      assert.equal(app.config.defaultRowLimit, 50);
      assert.equal(app.config.maxRowLimit, 100);
      const many = await api(getCtx(), '/timescaledb/data/series');
      assert.equal(many.body.length, 50, 'DEFAULT_ROW_LIMIT applies without limit');
      assert.equal(
        (await api(getCtx(), '/timescaledb/data/series?limit=1000')).body.length,
        100,
        'MAX_ROW_LIMIT caps limit'
      );
      assert.equal((await api(getCtx(), '/timescaledb/data/series?limit=0')).body.length, 0);
    });

    it('answers CSV when asked, with a header and ISO times', async () => {
      const res = await get(
        `/timescaledb/data/metrics${qs([
          ['device', 'eq.d3'],
          ['order', 'time'],
          ['limit', '3'],
        ])}`,
        { accept: 'text/csv' }
      );
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /text\/csv/);
      assert.equal(
        res.text,
        'time,device,value,count\n2024-01-01T00:00:00.000Z,d3,30,0\n2024-01-01T00:10:00.000Z,d3,31,1\n2024-01-01T00:20:00.000Z,d3,,2\n'
      );
    });

    it('answers NDJSON when asked', async () => {
      const res = await get(`/timescaledb/data/items${qs([['order', 'sku']])}`, { accept: 'application/x-ndjson' });
      assert.match(res.headers.get('content-type')!, /ndjson/);
      const lines = res.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(lines.length, 2);
      assert.deepEqual(lines[0], {
        sku: 'a-1',
        qty: 1,
        big: '9007199254740993',
        price: 12.5,
        ratio: 0.5,
        active: true,
        meta: { k: 1 },
        day: '2024-02-29',
        local_ts: '2024-01-01T12:00:00.000Z',
        id: '00000000-0000-0000-0000-000000000001',
        note: 'first',
      });
    });

    it('refuses an Accept it cannot produce with 406', async () => {
      const res = await get('/timescaledb/data/metrics', { accept: 'image/png' });
      assert.equal(res.status, 406);
      assert.equal(res.body.error, 'not_acceptable');
    });

    it('aggregates into time buckets with bucket + agg, grouped by text columns', async () => {
      const res = await get(
        `/timescaledb/data/metrics${qs([
          ['bucket', '30m'],
          ['agg', 'max'],
          ['columns', 'device,value'],
          ['order', 'time,device'],
        ])}`
      );
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.slice(0, 4), [
        { time: '2024-01-01T00:00:00.000Z', device: 'd1', value: 12 },
        { time: '2024-01-01T00:00:00.000Z', device: 'd2', value: 22 },
        { time: '2024-01-01T00:00:00.000Z', device: 'd3', value: 31 },
        { time: '2024-01-01T00:30:00.000Z', device: 'd1', value: 15 },
      ]);
      const sums = await get(
        `/timescaledb/data/metrics${qs([
          ['bucket', '1 hour'],
          ['agg', 'sum'],
          ['columns', 'count'],
        ])}`
      );
      assert.deepEqual(sums.body, [{ time: '2024-01-01T00:00:00.000Z', count: 45 }]);
    });

    it('reads tables in other schemas, with odd names, and views', async () => {
      assert.deepEqual((await get('/timescaledb/data/other.things?order=id')).body, [
        { id: 1, label: 'one' },
        { id: 2, label: 'two' },
      ]);
      assert.deepEqual((await get(`/timescaledb/data/${encodeURIComponent('Odd "Name"')}`)).body, [
        { 'a b': 1, 'x"y': 'q' },
      ]);
      const filtered = await get(
        `/timescaledb/data/${encodeURIComponent('Odd "Name"')}${qs([
          ['x"y', 'eq.q'],
          ['columns', 'a b'],
        ])}`
      );
      assert.deepEqual(filtered.body, [{ 'a b': 1 }]);
      assert.equal((await get('/timescaledb/data/metrics_view?device=eq.d2')).body.length, 6);
    });

    it('filters typed columns by their type: numeric, bigint, boolean, date, timestamp, json, uuid', async () => {
      const one = async (pairs: Array<[string, string]>) =>
        (await get(`/timescaledb/data/items${qs(pairs)}`)).body.map((r: any) => r.sku);
      assert.deepEqual(await one([['price', 'eq.12.5']]), ['a-1']);
      assert.deepEqual(await one([['big', 'eq.9007199254740993']]), ['a-1']);
      assert.deepEqual(await one([['active', 'eq.false']]), ['b-2']);
      assert.deepEqual(await one([['active', 'is.true']]), ['a-1']);
      assert.deepEqual(await one([['day', 'lt.2024-01-01']]), ['b-2']);
      assert.deepEqual(await one([['local_ts', 'gt.2024-03-01T00:00:00']]), ['b-2']);
      assert.deepEqual(await one([['id', 'eq.00000000-0000-0000-0000-000000000002']]), ['b-2']);
      assert.deepEqual(await one([['meta', 'like.%k%']]), ['a-1']);
      assert.deepEqual(await one([['note', 'is.null']]), ['b-2']);
    });

    it('rejects bad read parameters with 400 naming what is wrong', async () => {
      const bad: Array<[string, number, string, RegExp]> = [
        ['/timescaledb/data/nope', 404, 'unknown_table', /"nope"/],
        ['/timescaledb/data/metrics?nope=eq.1', 400, 'unknown_column', /"nope"/],
        ['/timescaledb/data/metrics?columns=time,ghost', 400, 'unknown_column', /"ghost"/],
        ['/timescaledb/data/metrics?order=ghost.desc', 400, 'unknown_column', /"ghost"/],
        ['/timescaledb/data/metrics?value=approx.3', 400, 'invalid_operator', /value/],
        ['/timescaledb/data/metrics?value=3', 400, 'invalid_operator', /value/],
        ['/timescaledb/data/metrics?value=eq.abc', 400, 'invalid_value', /"value"/],
        ['/timescaledb/data/metrics?count=eq.1.5', 400, 'invalid_value', /integer/],
        ['/timescaledb/data/metrics?value=is.maybe', 400, 'invalid_value', /is/],
        ['/timescaledb/data/metrics?time=gt.yesterday-ish', 400, 'invalid_value', /"time"/],
        ['/timescaledb/data/metrics?limit=-1', 400, 'invalid_limit', /limit/],
        ['/timescaledb/data/metrics?limit=ten', 400, 'invalid_limit', /limit/],
        ['/timescaledb/data/metrics?offset=1.5', 400, 'invalid_offset', /offset/],
        ['/timescaledb/data/metrics?from=soon', 400, 'invalid_range', /from/],
        ['/timescaledb/data/metrics?limit=1&limit=2', 400, 'invalid_request', /limit/],
        ['/timescaledb/data/other.things?from=2024-01-01', 400, 'no_time_column', /things/],
        ['/timescaledb/data/metrics?bucket=1h&agg=median', 400, 'invalid_aggregation', /median/],
        ['/timescaledb/data/metrics?agg=avg', 400, 'invalid_bucket', /bucket/],
        ['/timescaledb/data/metrics?bucket=1h&agg=avg&columns=device', 400, 'invalid_aggregation', /numeric/],
        ['/timescaledb/data/metrics?bucket=forever&agg=avg', 400, 'invalid_bucket', /"forever"/],
      ];
      for (const [path, status, code, message] of bad) {
        const res = await get(path);
        assert.equal(res.status, status, `${path}: ${res.text}`);
        assert.equal(res.body.error, code, path);
        assert.match(res.body.message, message, path);
      }
    });
  },
  {
    env: { DEFAULT_ROW_LIMIT: '50', MAX_ROW_LIMIT: '100' },
    setup: async (db, { timescale }) => {
      await createFixtures(db, timescale);
      await db.query(`CREATE TABLE series AS SELECT g AS n FROM generate_series(1, 300) g`);
    },
  }
);

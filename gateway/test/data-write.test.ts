import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';
import { createFixtures, fixtureCounts } from './helpers/fixtures';

const T0 = '2025-01-01T00:00:00.000Z';

forEachDatabase(
  (getCtx) => {
    const post = (table: string, body: unknown, contentType?: string) =>
      api(getCtx(), `/timescaledb/data/${encodeURIComponent(table)}`, {
        method: 'POST',
        body,
        headers: contentType ? { 'content-type': contentType } : {},
      });
    const count = async (where: string) =>
      (await getCtx().db.query<{ n: number }>(`SELECT count(*)::int AS n FROM metrics WHERE ${where}`)).rows[0].n;

    it('inserts one JSON object and answers 201 {inserted}', async () => {
      const res = await post('metrics', { time: T0, device: 'w1', value: 1.5, count: 3 });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body, { inserted: 1 });
      const rows = await getCtx().db.query(`SELECT * FROM metrics WHERE device = 'w1'`);
      assert.deepEqual(rows.rows, [{ time: new Date(T0), device: 'w1', value: 1.5, count: 3 }]);
    });

    it('inserts a JSON array, NDJSON and CSV', async () => {
      const arr = await post('metrics', [
        { time: T0, device: 'w2', value: 1 },
        { time: Date.parse(T0) + 1000, device: 'w2', value: '2.5', count: '7' },
      ]);
      assert.deepEqual([arr.status, arr.body], [201, { inserted: 2 }]);
      const nd = await post(
        'metrics',
        `{"time":"${T0}","device":"w3","value":1}\n\n{"time":"${T0}","device":"w3","value":null}\n`,
        'application/x-ndjson'
      );
      assert.deepEqual([nd.status, nd.body], [201, { inserted: 2 }]);
      const csv = await post(
        'metrics',
        `time,device,value,count\n${T0},w4,3.25,\n2025-01-01T01:00:00+01:00,"w4",,9\n`,
        'text/csv'
      );
      assert.deepEqual([csv.status, csv.body], [201, { inserted: 2 }]);
      const rows = await getCtx().db.query(
        `SELECT time, value, count FROM metrics WHERE device = 'w4' ORDER BY value NULLS LAST`
      );
      assert.deepEqual(rows.rows, [
        { time: new Date(T0), value: 3.25, count: null },
        { time: new Date(T0), value: null, count: 9 },
      ]);
      assert.equal(await count(`device = 'w2' AND count = 7`), 1);
    });

    it('coerces values by column type and keeps every digit', async () => {
      const res = await post('items', {
        sku: 'c-1',
        qty: '5',
        big: '9007199254740995',
        price: '123.45',
        ratio: 2,
        active: 'yes',
        meta: { nested: [1, 'two'] },
        day: '2024-03-01',
        local_ts: '2024-03-01T08:00:00',
        id: '00000000-0000-0000-0000-00000000000c',
        note: 42,
      });
      assert.equal(res.status, 201, res.text);
      const back = await api(getCtx(), '/timescaledb/data/items?sku=eq.c-1');
      assert.deepEqual(back.body, [
        {
          sku: 'c-1',
          qty: 5,
          big: '9007199254740995',
          price: 123.45,
          ratio: 2,
          active: true,
          meta: { nested: [1, 'two'] },
          day: '2024-03-01',
          local_ts: '2024-03-01T08:00:00.000Z',
          id: '00000000-0000-0000-0000-00000000000c',
          note: '42',
        },
      ]);
    });

    it('leaves out missing columns so their defaults apply', async () => {
      await getCtx().db.query(`CREATE TABLE IF NOT EXISTS with_default (id int, state text DEFAULT 'new')`);
      await getCtx().app.catalog.refresh();
      const res = await post('with_default', [{ id: 1 }, { id: 2, state: 'old' }]);
      assert.equal(res.status, 201);
      const rows = await getCtx().db.query(`SELECT id, state FROM with_default ORDER BY id`);
      assert.deepEqual(rows.rows, [
        { id: 1, state: 'new' },
        { id: 2, state: 'old' },
      ]);
    });

    it('inserts nothing when one row is bad, and lists row, column and reason', async () => {
      const before = await fixtureCounts(getCtx().db);
      const res = await post('metrics', [
        { time: T0, device: 'bad', value: 1 },
        { time: T0, device: 'bad', value: 'warm' },
        { time: 'not a time', device: 'bad', count: 1.5 },
      ]);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid_value');
      assert.match(res.body.message, /Row 1, column "value"/);
      assert.deepEqual(
        res.body.details.errors.map((e: { row: number; column: string }) => [e.row, e.column]),
        [
          [1, 'value'],
          [2, 'time'],
          [2, 'count'],
        ]
      );
      assert.match(res.body.details.errors[2].reason, /integer/);
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('rolls back the whole batch when the database rejects a row (NOT NULL)', async () => {
      const before = await fixtureCounts(getCtx().db);
      const res = await post('metrics', [
        { time: T0, device: 'nn', value: 1 },
        { time: T0, value: 2 },
      ]);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'constraint_violation');
      assert.match(res.body.message, /device/);
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('answers a unique violation with 409 and inserts nothing', async () => {
      const before = await fixtureCounts(getCtx().db);
      const res = await post('items', [{ sku: 'fresh-1' }, { sku: 'a-1' }]);
      assert.equal(res.status, 409);
      assert.equal(res.body.error, 'conflict');
      assert.equal(res.body.details.constraint, 'items_pkey');
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('names an unknown column with its row', async () => {
      const res = await post('metrics', [
        { time: T0, device: 'x' },
        { time: T0, device: 'x', colour: 'red' },
      ]);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'unknown_column');
      assert.match(res.body.message, /"colour"/);
      assert.deepEqual(res.body.details, { table: 'metrics', column: 'colour', row: 1 });
    });

    it('rejects empty, malformed and unsupported bodies with 400/415', async () => {
      const cases: Array<[unknown, string | undefined, number, string]> = [
        ['', 'application/json', 400, 'empty_body'],
        ['[]', 'application/json', 400, 'empty_body'],
        ['{"time": ', 'application/json', 400, 'malformed_body'],
        ['[1, 2]', 'application/json', 400, 'malformed_body'],
        ['"text"', 'application/json', 400, 'malformed_body'],
        ['{"device":"a"}\nnot json', 'application/x-ndjson', 400, 'malformed_body'],
        ['\n\n', 'application/x-ndjson', 400, 'empty_body'],
        ['time,device\n', 'text/csv', 400, 'empty_body'],
        ['time,device\n2025-01-01,a,extra\n', 'text/csv', 400, 'malformed_body'],
        ['<rows/>', 'application/xml', 415, 'unsupported_media_type'],
      ];
      for (const [body, type, status, code] of cases) {
        const res = await post('metrics', body, type);
        assert.equal(res.status, status, `${type} ${JSON.stringify(body)}: ${res.text}`);
        assert.equal(res.body.error, code, `${type} ${JSON.stringify(body)}`);
        assert.equal(typeof res.body.message, 'string');
      }
      const none = await api(getCtx(), '/timescaledb/data/metrics', { method: 'POST' });
      assert.equal(none.status, 400);
      assert.equal(none.body.error, 'empty_body');
    });

    it('refuses writes to views that cannot take rows', async (t) => {
      const ctx = getCtx();
      await ctx.db.query(
        `CREATE MATERIALIZED VIEW IF NOT EXISTS metrics_mat AS SELECT device, max(value) AS top FROM metrics GROUP BY device`
      );
      await ctx.app.catalog.refresh();
      const res = await post('metrics_mat', { device: 'x', top: 1 });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'not_writable');
      t.diagnostic(res.body.message);
    });

    it('answers a body over the limit with 413', async () => {
      const rows = Array.from({ length: 1000 }, (_, i) => ({ time: T0, device: `big-${i}`, value: i }));
      const res = await post('metrics', rows);
      assert.equal(res.status, 413);
      assert.equal(res.body.error, 'body_too_large');
      assert.equal(await count(`device LIKE 'big-%'`), 0);
    });

    it('inserts a batch large enough for COPY on PostgreSQL, all or nothing', async () => {
      const ctx = getCtx();
      await ctx.db.query(`CREATE TABLE IF NOT EXISTS bulk (t timestamptz, k text, v double precision)`);
      await ctx.app.catalog.refresh();
      const rows = Array.from({ length: 300 }, (_, i) => ({
        t: Date.parse(T0) + i * 1000,
        k: i % 2 ? '' : `k"${i},\n`,
        v: i / 4,
      }));
      const text = rows.map((r) => JSON.stringify(r)).join('\n');
      const ok = await post('bulk', text, 'application/x-ndjson');
      assert.deepEqual([ok.status, ok.body], [201, { inserted: 300 }]);
      const back = await ctx.db.query<{ n: number; empty: number; odd: string; sum: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE k = '')::int AS empty, max(k) FILTER (WHERE k LIKE 'k"0%') AS odd, sum(v) AS sum FROM bulk`
      );
      assert.deepEqual(back.rows[0], { n: 300, empty: 150, odd: 'k"0,\n', sum: rows.reduce((s, r) => s + r.v, 0) });
      const bad = rows.map((r, i) => (i === 250 ? { ...r, t: 'soon' } : r));
      const res = await post('bulk', bad.map((r) => JSON.stringify(r)).join('\n'), 'application/x-ndjson');
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.details.errors, [
        { row: 250, column: 't', reason: 'expected an ISO-8601 time or epoch milliseconds, got "soon"' },
      ]);
      assert.equal((await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bulk`)).rows[0].n, 300);
    });
  },
  {
    // COPY from 100 rows on so the COPY path is exercised with small bodies; 40 kB body limit.
    env: { BODY_LIMIT: '40000', COPY_THRESHOLD_ROWS: '100' },
    setup: (db, { timescale }) => createFixtures(db, timescale),
  }
);

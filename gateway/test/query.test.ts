import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';
import { createFixtures, fixtureCounts } from './helpers/fixtures';

const RANGE = { from: '2024-01-01T00:00:00Z', to: '2024-01-01T01:00:00Z' };

forEachDatabase(
  (getCtx) => {
    const query = (queries: unknown[], extra: Record<string, unknown> = {}, token?: string) =>
      api(getCtx(), '/api/v1/query', {
        body: { range: RANGE, intervalMs: 60_000, maxDataPoints: 100, queries, ...extra },
        token,
      });

    it('expands macros in SQL mode and shapes long results into one series per label', async () => {
      const res = await query([
        {
          refId: 'A',
          mode: 'sql',
          format: 'time_series',
          rawSql: `SELECT $__timeGroupAlias(time, '20m'), device, avg(value) AS value FROM metrics WHERE $__timeFilter(time) GROUP BY 1, 2 ORDER BY 1`,
        },
      ]);
      assert.equal(res.status, 200, res.text);
      const a = res.body.results.A;
      assert.equal(a.error, undefined, a.error);
      assert.match(a.executedQueryString, /floor\(extract\(epoch from time\)\/1200\)\*1200 AS "time"/);
      assert.match(a.executedQueryString, /time BETWEEN '2024-01-01T00:00:00Z' AND '2024-01-01T01:00:00Z'/);
      const frame = a.frames[0];
      assert.deepEqual(
        frame.schema.fields.map((f: any) => [f.name, f.type, f.labels]),
        [
          ['Time', 'time', undefined],
          ['value', 'number', { device: 'd1' }],
          ['value', 'number', { device: 'd2' }],
          ['value', 'number', { device: 'd3' }],
        ]
      );
      assert.deepEqual(frame.data.values[0], [
        Date.parse('2024-01-01T00:00:00Z'),
        Date.parse('2024-01-01T00:20:00Z'),
        Date.parse('2024-01-01T00:40:00Z'),
      ]);
      assert.deepEqual(frame.data.values[1], [10.5, 12.5, 14.5]);
      assert.deepEqual(frame.data.values[3], [30.5, 33, 34.5]);
      assert.equal(frame.schema.meta.type, 'timeseries-wide');
    });

    it('runs builder queries with groupBy labels on both dialects', async () => {
      const res = await query([
        {
          refId: 'B',
          mode: 'builder',
          table: 'metrics',
          metrics: [{ column: 'value', aggregation: 'avg' }],
          groupBy: ['device'],
          bucket: '30m',
        },
      ]);
      assert.equal(res.status, 200, res.text);
      const b = res.body.results.B;
      assert.equal(b.error, undefined, `${b.error} ${b.executedQueryString}`);
      const frame = b.frames[0];
      assert.deepEqual(
        frame.schema.fields.map((f: any) => f.labels?.device ?? f.name),
        ['Time', 'd1', 'd2', 'd3']
      );
      assert.deepEqual(frame.data.values[1], [11, 14]);
    });

    it('keeps one failing query from failing the others', async () => {
      const res = await query([
        { refId: 'ok', mode: 'sql', format: 'table', rawSql: 'SELECT count(*) AS n FROM metrics' },
        { refId: 'bad', mode: 'sql', rawSql: 'SELECT $__nope(time) FROM metrics' },
        { refId: 'missing', mode: 'builder', table: 'nope', metrics: [{ column: 'v', aggregation: 'avg' }] },
      ]);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.results.ok.frames[0].data.values, [[18]]);
      assert.equal(res.body.results.bad.status, 400);
      assert.equal(res.body.results.bad.errorCode, 'unknown_macro');
      assert.match(res.body.results.bad.error, /\$__nope.*line 1, column 8/);
      assert.equal(res.body.results.missing.status, 404);
    });

    it('refuses several statements, writes and COPY TO PROGRAM, leaving the data untouched', async () => {
      const before = await fixtureCounts(getCtx().db);
      const cases: Array<[string, string]> = [
        ['SELECT 1; SET TRANSACTION READ WRITE', 'multiple_statements'],
        ['SELECT 1; DELETE FROM metrics', 'multiple_statements'],
        ['DELETE FROM metrics', 'statement_not_allowed'],
        ["COPY (SELECT 1) TO PROGRAM 'id'", 'statement_not_allowed'],
        ["SELECT set_config('role', 'postgres', true)", 'function_not_allowed'],
        ['WITH d AS (DELETE FROM metrics RETURNING 1) SELECT count(*) FROM d', 'not_supported'],
      ];
      for (const [rawSql, code] of cases) {
        const res = await query([{ refId: 'X', mode: 'sql', format: 'table', rawSql }]);
        assert.equal(res.status, 200);
        const x = res.body.results.X;
        assert.ok(x.error, `${rawSql} should fail`);
        assert.equal(x.errorCode, code, `${rawSql}: ${x.error}`);
      }
      const res = await query([
        {
          refId: 'R',
          mode: 'sql',
          format: 'table',
          rawSql: "SELECT current_user AS u, current_setting('transaction_read_only') AS ro",
        },
      ]);
      assert.deepEqual(res.body.results.R.frames[0].data.values, [['tsgw_reader'], ['on']]);
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('runs SQL mode as a role that cannot write or run programs, even without the statement check', async () => {
      const sqlMode = getCtx().app.sqlMode;
      const attempts = ["INSERT INTO metrics (time, device) VALUES (now(), 'x')", 'CREATE TABLE evil (x int)'];
      if (getCtx().driver === 'postgres') {
        attempts.push("COPY (SELECT 1) TO PROGRAM 'true'");
      }
      for (const sql of attempts) {
        await assert.rejects(
          sqlMode.run((tx) => tx.query(sql), 5000),
          /permission denied|must be superuser|not allowed|read-only transaction/i,
          sql
        );
      }
    });

    it('needs the sql scope for SQL mode but not for the builder', async () => {
      const res = await query(
        [
          { refId: 'S', mode: 'sql', rawSql: 'SELECT 1' },
          {
            refId: 'B',
            mode: 'builder',
            table: 'metrics',
            format: 'table',
            metrics: [{ column: 'value', aggregation: 'max' }],
          },
        ],
        {},
        getCtx().tokens.reader
      );
      assert.equal(res.body.results.S.status, 403);
      assert.deepEqual(res.body.results.B.frames[0].data.values, [[35]]);
    });

    it('lists distinct values, filtered case-insensitively', async () => {
      const res = await api(getCtx(), '/api/v1/catalog/metrics/values/device?q=D&limit=2');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { table: 'metrics', column: 'device', values: ['d1', 'd2'] });
      const pct = await api(getCtx(), `/api/v1/catalog/metrics/values/device?q=${encodeURIComponent('%')}`);
      assert.deepEqual(pct.body.values, []);
      const bad = await api(getCtx(), '/api/v1/catalog/metrics/values/nope');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'unknown_column');
    });
  },
  { setup: (db, info) => createFixtures(db, info.timescale) }
);

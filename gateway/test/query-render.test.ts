import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BuilderQuery, QueryResult, RenderResponse } from '../src/contract/query';
import type { Db } from '../src/db/types';
import { AGGREGATIONS as ALL_AGGREGATIONS } from '../src/contract/vocabulary';
import { forEachDatabase, type TestContext } from './helpers/test-context';

/**
 * `POST /api/v1/query/render`: the builder's SQL-mode text, run through `/api/v1/query` in SQL
 * mode with the same request, returns the same frames as the builder query — for every
 * aggregation × fill × kind of bucket, on TimescaleDB and on plain PostgreSQL.
 */

async function seed(db: Db, timescale: boolean): Promise<void> {
  await db.query(
    `CREATE TABLE render_readings (ts timestamptz NOT NULL, sensor text NOT NULL, value double precision, reading real, counter integer)`
  );
  if (timescale) {
    await db.query(`SELECT create_hypertable('render_readings', 'ts')`);
  }
  // Two sensors, one reading every 3 hours for ~80 days, five days missing, a counter that resets.
  await db.query(`
    INSERT INTO render_readings
    SELECT timestamptz '2024-01-01T00:00:00Z' + i * interval '3 hours' + s * interval '7 minutes', 's' || s,
           round((s * 10 + sin(i / 9.0) * 5)::numeric, 3)::float8,
           (s * 10 + cos(i / 7.0) * 5)::real,
           CASE WHEN i < 300 THEN i * s * 7 ELSE (i - 300) * s * 5 END
    FROM generate_series(0, 640) i, generate_series(1, 2) s
    WHERE NOT (i BETWEEN 160 AND 200)`);
  // Time columns of the other kinds: timestamp without time zone and date.
  await db.query(`CREATE TABLE render_local (at timestamp NOT NULL, value double precision)`);
  await db.query(
    `INSERT INTO render_local SELECT timestamp '2024-01-01' + i * interval '5 hours', i % 17 FROM generate_series(0, 400) i WHERE i % 11 <> 3`
  );
  await db.query(`CREATE TABLE render_days (day date NOT NULL, sensor text, value integer)`);
  await db.query(
    `INSERT INTO render_days SELECT date '2024-01-01' + i, 's' || (i % 3), i * 3 % 29 FROM generate_series(0, 90) i WHERE i % 7 <> 2`
  );
}

interface Shared {
  range: { from: string; to: string };
  intervalMs?: number;
  maxDataPoints?: number;
  timezone?: string;
}

const RANGE = { from: '2024-01-03T00:00:00Z', to: '2024-03-10T00:00:00Z' };

/** The kinds of bucket: fixed, auto = the panel interval, auto widened past it, a calendar month, days in a zone. */
const BUCKETS: Array<{ label: string; bucket?: string; shared: Shared }> = [
  { label: 'fixed 6h', bucket: '6h', shared: { range: RANGE, intervalMs: 60_000, maxDataPoints: 1000 } },
  { label: 'auto = $__interval', shared: { range: RANGE, intervalMs: 21_600_000, maxDataPoints: 1000 } },
  { label: 'auto widened', shared: { range: RANGE, intervalMs: 1_000_000, maxDataPoints: 1000 } },
  {
    label: 'calendar 1M',
    bucket: '1M',
    shared: { range: RANGE, intervalMs: 60_000, maxDataPoints: 1000, timezone: 'Europe/Berlin' },
  },
  {
    label: '1d in a zone',
    bucket: '1d',
    shared: { range: RANGE, intervalMs: 60_000, maxDataPoints: 1000, timezone: 'America/New_York' },
  },
];

/** Every aggregation but `none` (raw rows, no bucket to compare). */
const AGGREGATIONS = ALL_AGGREGATIONS.filter((a) => a !== 'none');
const FILLS = ['none', 'null', 'zero', 'previous', 'linear'] as const;

async function post<T>(
  ctx: TestContext,
  url: string,
  body: unknown,
  token = ctx.token
): Promise<{ status: number; body: T }> {
  const res = await ctx.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${token}` },
    payload: body as object,
  });
  return { status: res.statusCode, body: res.json() as T };
}

async function render(ctx: TestContext, shared: Shared, query: BuilderQuery): Promise<RenderResponse> {
  const res = await post<RenderResponse>(ctx, '/api/v1/query/render', { ...shared, query });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** The builder queries and their rendered SQL-mode texts, each run in one request; their frames compared one by one. */
async function assertSameFrames(
  ctx: TestContext,
  shared: Shared,
  queries: BuilderQuery[],
  label: string
): Promise<QueryResult[]> {
  const texts = await Promise.all(queries.map((q) => render(ctx, shared, q)));
  const sqlQueries = queries.map((q, i) => ({
    refId: q.refId,
    mode: 'sql',
    format: q.format ?? 'time_series',
    rawSql: texts[i].sqlModeText,
  }));
  const [builder, sql] = await Promise.all([
    post<{ results: Record<string, QueryResult> }>(ctx, '/api/v1/query', { ...shared, queries }),
    post<{ results: Record<string, QueryResult> }>(ctx, '/api/v1/query', { ...shared, queries: sqlQueries }),
  ]);
  assert.equal(builder.status, 200, JSON.stringify(builder.body));
  assert.equal(sql.status, 200, JSON.stringify(sql.body));
  return queries.map((q, i) => {
    const b = builder.body.results[q.refId];
    const s = sql.body.results[q.refId];
    const what = `${label} ${q.refId}`;
    assert.equal(b.error, undefined, `${what} (builder): ${b.error}\n${b.executedQueryString}`);
    assert.equal(s.error, undefined, `${what} (SQL mode): ${s.error}\n${texts[i].sqlModeText}`);
    assert.deepEqual(s.frames[0].schema.fields, b.frames[0].schema.fields, `${what}: fields\n${texts[i].sqlModeText}`);
    assert.deepEqual(s.frames[0].data.values, b.frames[0].data.values, `${what}: values\n${texts[i].sqlModeText}`);
    return b;
  });
}

const rows = (result: QueryResult) => (result.frames[0].data.values[0] ?? []).length;

forEachDatabase(
  (getCtx) => {
    describe('the SQL-mode text of every aggregation × fill × bucket gives the builder’s frames', () => {
      for (const aggregation of AGGREGATIONS) {
        it(aggregation, async () => {
          const ctx = getCtx();
          const column = aggregation === 'rate' || aggregation === 'increase' ? 'counter' : 'value';
          for (const { label, bucket, shared } of BUCKETS) {
            const queries = FILLS.map((fill): BuilderQuery => ({
              refId: fill,
              mode: 'builder',
              table: 'render_readings',
              metrics: [{ column, aggregation, percentile: 90 }],
              groupBy: ['sensor'],
              ...(bucket ? { bucket } : {}),
              fill,
            }));
            const results = await assertSameFrames(ctx, shared, queries, `${aggregation} ${label}`);
            for (const r of results) {
              assert.ok(rows(r) >= 3, `${aggregation} ${label}: ${rows(r)} rows`);
            }
          }
        });
      }
    });

    it('renders the statement the builder runs, with its bound values', async () => {
      const ctx = getCtx();
      const shared = BUCKETS[0].shared;
      const query: BuilderQuery = {
        refId: 'A',
        mode: 'builder',
        table: 'render_readings',
        metrics: [{ column: 'value', aggregation: 'avg' }],
        bucket: '6h',
      };
      const rendered = await render(ctx, shared, query);
      const ran = await post<{ results: Record<string, QueryResult> }>(ctx, '/api/v1/query', {
        ...shared,
        queries: [query],
      });
      assert.match(rendered.sql, /\$1::timestamptz/);
      assert.deepEqual(rendered.params.slice(0, 2), ['2024-01-03T00:00:00.000Z', '2024-03-10T00:00:00.000Z']);
      // The executed string is the same statement with the values shown inline.
      assert.match(ran.body.results.A.executedQueryString!, /"ts" >= '2024-01-03T00:00:00.000Z'::timestamptz/);
      assert.match(rendered.sqlModeText, /\$__timeFilter\("ts"\)/);
    });

    it('keeps the sum of a real column in double precision, in both forms', async () => {
      const ctx = getCtx();
      await assertSameFrames(
        ctx,
        BUCKETS[0].shared,
        [
          {
            refId: 'R',
            mode: 'builder',
            table: 'render_readings',
            metrics: [
              { column: 'reading', aggregation: 'sum' },
              { column: 'reading', aggregation: 'avg' },
            ],
            bucket: '1d',
            fill: 'linear',
          },
        ],
        'real'
      );
    });

    it('gives the same raw rows, filters and table formats', async () => {
      const ctx = getCtx();
      const shared = BUCKETS[0].shared;
      const results = await assertSameFrames(
        ctx,
        shared,
        [
          {
            refId: 'raw',
            mode: 'builder',
            table: 'render_readings',
            metrics: [{ column: 'value', aggregation: 'none' }],
            groupBy: ['sensor'],
          },
          {
            refId: 'filtered',
            mode: 'builder',
            table: 'render_readings',
            metrics: [{ column: 'value', aggregation: 'max', alias: 'highest "value"' }],
            filters: [
              { column: 'sensor', op: 'IN', value: ['s1', "it's", 'a"b\\c'] },
              { column: 'value', op: '>', value: 9.5 },
              { column: 'sensor', op: 'LIKE', value: 's%' },
              { column: 'sensor', op: '!=', value: "x' OR TRUE --" },
              { column: 'reading', op: 'IS NOT NULL' },
            ],
            bucket: '12h',
          },
          {
            refId: 'table',
            mode: 'builder',
            format: 'table',
            table: 'render_readings',
            metrics: [
              { column: 'value', aggregation: 'avg' },
              { column: 'counter', aggregation: 'increase' },
            ],
            groupBy: ['sensor'],
            orderBy: [{ column: 'avg(value)', direction: 'desc' }],
            limit: 1,
          },
          {
            refId: 'tableRaw',
            mode: 'builder',
            format: 'table',
            table: 'render_readings',
            metrics: [
              { column: 'value', aggregation: 'none' },
              { column: 'sensor', aggregation: 'none' },
            ],
            orderBy: [{ column: 'value', direction: 'desc' }],
            limit: 7,
          },
          {
            refId: 'tableBucketed',
            mode: 'builder',
            format: 'table',
            table: 'render_readings',
            metrics: [{ column: 'value', aggregation: 'count' }],
            bucket: '1w',
            fill: 'zero',
          },
        ],
        'shapes'
      );
      assert.ok(rows(results[0]) > 500);
      assert.equal(rows(results[2]), 1);
      assert.equal(rows(results[3]), 7);
    });

    it('gives the same frames over timestamp and date columns', async () => {
      const ctx = getCtx();
      for (const fill of FILLS) {
        await assertSameFrames(
          ctx,
          {
            range: { from: '2024-01-05T00:00:00Z', to: '2024-03-01T00:00:00Z' },
            intervalMs: 86_400_000,
            maxDataPoints: 500,
            timezone: 'Europe/Berlin',
          },
          [
            {
              refId: 'local',
              mode: 'builder',
              table: 'render_local',
              metrics: [{ column: 'value', aggregation: 'avg' }],
              fill,
            },
            {
              refId: 'days',
              mode: 'builder',
              table: 'render_days',
              metrics: [{ column: 'value', aggregation: 'sum' }],
              groupBy: ['sensor'],
              bucket: '1w',
              fill,
            },
          ],
          `time kinds ${fill}`
        );
      }
    });

    it('answers a bad query with the status and code /api/v1/query gives it', async () => {
      const ctx = getCtx();
      const shared = BUCKETS[0].shared;
      const bad: BuilderQuery = {
        refId: 'A',
        mode: 'builder',
        table: 'render_readings',
        metrics: [{ column: 'nope', aggregation: 'avg' }],
      };
      const rendered = await post<{ error: string; message: string }>(ctx, '/api/v1/query/render', {
        ...shared,
        query: bad,
      });
      const ran = await post<{ results: Record<string, QueryResult> }>(ctx, '/api/v1/query', {
        ...shared,
        queries: [bad],
      });
      assert.equal(rendered.status, ran.body.results.A.status);
      assert.equal(rendered.body.error, ran.body.results.A.errorCode);
      assert.equal(rendered.body.error, 'unknown_column');
      assert.match(rendered.body.message, /nope/);

      const missing = await post<{ error: string }>(ctx, '/api/v1/query/render', {
        ...shared,
        query: { ...bad, table: 'render_nowhere' },
      });
      const ranMissing = await post<{ results: Record<string, QueryResult> }>(ctx, '/api/v1/query', {
        ...shared,
        queries: [{ ...bad, table: 'render_nowhere' }],
      });
      assert.equal(missing.status, ranMissing.body.results.A.status);
      assert.equal(missing.body.error, ranMissing.body.results.A.errorCode);

      const malformed = await post<{ error: string }>(ctx, '/api/v1/query/render', {
        ...shared,
        query: { ...bad, mode: 'sql' },
      });
      assert.equal(malformed.status, 400);
    });

    it('needs the read scope and respects a token’s tables', async () => {
      const ctx = getCtx();
      const body = {
        ...BUCKETS[0].shared,
        query: {
          refId: 'A',
          mode: 'builder',
          table: 'render_readings',
          metrics: [{ column: 'value', aggregation: 'avg' }],
        },
      };
      assert.equal((await post(ctx, '/api/v1/query/render', body, ctx.tokens.reader)).status, 200);
      assert.equal((await post(ctx, '/api/v1/query/render', body, ctx.tokens.sql)).status, 403);
      assert.equal((await post(ctx, '/api/v1/query/render', body, ctx.tokens.limited)).status, 403);
      assert.equal((await post(ctx, '/api/v1/query/render', body, 'wrong-token-000000')).status, 401);
    });

    it('is in the OpenAPI document', async () => {
      const ctx = getCtx();
      const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
      const doc = res.json() as {
        paths: Record<string, { post?: { requestBody?: unknown; responses?: Record<string, unknown> } }>;
      };
      const route = doc.paths['/api/v1/query/render']?.post;
      assert.ok(route?.requestBody, 'request body schema');
      assert.ok(route?.responses?.['200'], '200 schema');
    });
  },
  { setup: async (db, info) => seed(db, info.timescale) }
);

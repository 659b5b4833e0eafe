import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';
import { createFixtures } from './helpers/fixtures';

/**
 * Requests whose work or result has no natural bound: each must end in a clear per-query error
 * (422 result_too_large, or 400 naming the bad parameter) while the gateway keeps serving.
 * The caps are small here so the tests stay quick: 5000 rows, 300 kB per response.
 */

const MAX_ROWS = 5000;
const MAX_BYTES = 300_000;
const DAY = { from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' };
const HOUR = { from: '2024-01-01T00:00:00Z', to: '2024-01-01T01:00:00Z' };
const CENTURY = { from: '1925-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' };
const WHOLE = { from: '0001-01-01T00:00:00Z', to: '9999-01-02T00:00:00Z' };
const AVG = [{ column: 'value', aggregation: 'avg' }];

async function stillServing(ctx: TestContext): Promise<void> {
  const health = await api(ctx, '/health', { token: null });
  assert.equal(health.status, 200, health.text);
  const res = await api(ctx, '/api/v1/query', {
    body: {
      range: HOUR,
      intervalMs: 600_000,
      queries: [{ refId: 'N', mode: 'builder', table: 'metrics', metrics: AVG, bucket: '10m' }],
    },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.results.N.error, undefined, res.body.results.N.error);
  // The fixture: devices d1..d3 read d * 10 + i every 10 minutes; d3 has no value at i = 2.
  assert.deepEqual(res.body.results.N.frames[0].data.values[1], [20, 21, (12 + 22) / 2, 23, 24, 25]);
}

forEachDatabase(
  (getCtx) => {
    const query = (body: Record<string, unknown>) => api(getCtx(), '/api/v1/query', { body });

    it('answers the hostile probe (1s gap fill over the whole calendar, no point cap) with a 422, and keeps serving', async () => {
      const res = await query({
        range: WHOLE,
        maxDataPoints: 100_000_000,
        queries: [
          { refId: 'A', mode: 'builder', table: 'metrics', fill: 'zero', bucket: '1s', noPointCap: true, metrics: AVG },
          {
            refId: 'B',
            mode: 'builder',
            table: 'metrics',
            format: 'table',
            metrics: [{ column: 'value', aggregation: 'max' }],
          },
        ],
      });
      assert.equal(res.status, 200, res.text);
      const a = res.body.results.A;
      assert.equal(a.status, 422);
      assert.equal(a.errorCode, 'result_too_large');
      assert.match(a.error, /bucket 1s fills the range with \d+ buckets per series, more than the row limit 5000/);
      assert.deepEqual(res.body.results.B.frames[0].data.values, [[35]]);
      await stillServing(getCtx());
    });

    it('holds huge maxDataPoints and tiny buckets to the row cap, on both gap-fill paths', async () => {
      const res = await query({
        range: CENTURY,
        intervalMs: 1,
        maxDataPoints: 1_000_000_000,
        queries: [
          { refId: 'auto', mode: 'builder', table: 'metrics', fill: 'null', metrics: AVG },
          { refId: 'tiny', mode: 'builder', table: 'metrics', fill: 'zero', bucket: '1s', metrics: AVG },
        ],
      });
      assert.equal(res.status, 200, res.text);
      for (const refId of ['auto', 'tiny']) {
        const r = res.body.results[refId];
        assert.equal(r.error, undefined, `${refId}: ${r.error}`);
        const times = r.frames[0].data.values[0];
        assert.ok(times.length > 1 && times.length <= MAX_ROWS, `${refId}: ${times.length} points`);
      }
      assert.match(
        res.body.results.tiny.frames[0].schema.meta.notices[0].text,
        /Bucket widened from 1s to .* within 5000 points per series/
      );
    });

    it('answers the whole calendar at one point per series in any zone, buckets before year 1 included', async () => {
      const calendar = { from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z' };
      const res = await query({
        range: calendar,
        maxDataPoints: 1,
        timezone: 'Pacific/Kiritimati',
        queries: [
          { refId: 'auto', mode: 'builder', table: 'metrics', fill: 'previous', metrics: AVG },
          {
            refId: 'months',
            mode: 'builder',
            table: 'metrics',
            bucket: '1M',
            fill: 'zero',
            groupBy: ['device'],
            metrics: AVG,
          },
          // Two-year buckets of local time: the calendar ends in the year 10000 there, one bucket too many.
          {
            refId: 'twoYears',
            mode: 'builder',
            table: 'metrics',
            bucket: '2y',
            fill: 'null',
            noPointCap: true,
            metrics: AVG,
          },
        ],
      });
      assert.equal(res.status, 200, res.text);
      for (const refId of ['auto', 'months']) {
        const r = res.body.results[refId];
        assert.equal(r.error, undefined, `${refId}: ${r.error}`);
        const times: Array<number | null> = r.frames[0].data.values[0];
        assert.ok(
          times.length >= 1 && times.length <= 3 && times.every((t) => typeof t === 'number'),
          `${refId}: ${JSON.stringify(times)}`
        );
      }
      assert.equal(res.body.results.twoYears.status, 422);
      assert.match(res.body.results.twoYears.error, /5001 buckets per series, more than the row limit 5000/);
      // In UTC the same buckets fit; counted from 2000, the first one starts in 1 BC (year 0).
      const utc = await query({
        range: calendar,
        queries: [
          { refId: 'y', mode: 'builder', table: 'metrics', bucket: '2y', fill: 'null', noPointCap: true, metrics: AVG },
        ],
      });
      const y = utc.body.results.y;
      assert.equal(y.error, undefined, y.error);
      assert.equal(y.frames[0].data.values[0].length, 5000);
      assert.equal(y.frames[0].data.values[0][0], Date.parse('0000-01-01T00:00:00Z'));
    });

    it('refuses raw rows beyond the row cap, caps raw series, and asks the database for at most cap + 1 rows', async () => {
      const raw = [{ column: 'v', aggregation: 'none' }];
      const res = await query({
        range: DAY,
        maxDataPoints: 1_000_000_000,
        queries: [
          { refId: 'all', mode: 'builder', table: 'big', format: 'table', metrics: raw },
          { refId: 'huge', mode: 'builder', table: 'big', format: 'table', limit: 1e15, metrics: raw },
          { refId: 'ten', mode: 'builder', table: 'big', format: 'table', limit: 10, metrics: raw },
          { refId: 'series', mode: 'builder', table: 'big', metrics: raw },
          { refId: 'uncapped', mode: 'builder', table: 'big', noPointCap: true, metrics: raw },
        ],
      });
      assert.equal(res.status, 200, res.text);
      const r = res.body.results;
      for (const refId of ['all', 'huge', 'uncapped']) {
        assert.equal(r[refId].status, 422, `${refId}: ${r[refId].error}`);
        assert.equal(r[refId].errorCode, 'result_too_large');
        assert.match(r[refId].executedQueryString, /LIMIT 5001::bigint$/);
      }
      assert.equal(r.ten.frames[0].data.values[0].length, 10);
      assert.match(r.ten.executedQueryString, /LIMIT 10::bigint$/);
      assert.equal(r.series.error, undefined, r.series.error);
      assert.ok(r.series.frames[0].data.values[0].length <= MAX_ROWS);
      assert.match(
        r.series.frames[0].schema.meta.notices[0].text,
        /Downsampled to at most 5000 points per series .* with LTTB/
      );
      assert.deepEqual(
        r.series.frames[0].schema.fields.map((f: any) => f.name),
        ['Time', 'v']
      );
    });

    it('SQL mode: absurd macro intervals and gap fills beyond the cap are 400s naming the macro', async () => {
      const cases: Array<[string, RegExp]> = [
        [
          `SELECT $__timeGroupAlias(time, '1us'), avg(value) AS value FROM metrics GROUP BY 1 ORDER BY 1`,
          /\$__timeGroupAlias: the interval '1us' cuts the time range/,
        ],
        [
          `SELECT $__timeGroup(time, '0s') AS time, 1 AS v FROM metrics`,
          /\$__timeGroup: the interval '0s' must be positive/,
        ],
        [
          `SELECT $__timeBucketGapfill(time, '1s') AS time, avg(value) FROM metrics WHERE $__timeFilter(time) GROUP BY 1`,
          /\$__timeBucketGapfill: the interval '1s' cuts the time range into \d+ buckets, more than the row limit 5000/,
        ],
      ];
      const res = await query({
        range: CENTURY,
        queries: cases.map(([rawSql], i) => ({ refId: `Q${i}`, mode: 'sql', rawSql })),
      });
      assert.equal(res.status, 200, res.text);
      cases.forEach(([, message], i) => {
        const r = res.body.results[`Q${i}`];
        assert.equal(r.status, 400, r.error);
        assert.equal(r.errorCode, 'invalid_macro_argument');
        assert.match(r.error, message);
      });
    });

    it("SQL mode: Grafana's fill is skipped with a warning past the row cap, and fills as Grafana does otherwise", async () => {
      const rawSql = (interval: string) =>
        `SELECT $__timeGroupAlias(time, '${interval}', 0), avg(value) AS value FROM metrics WHERE $__timeFilter(time) GROUP BY 1 ORDER BY 1`;
      const res = await query({
        range: DAY,
        queries: [
          { refId: 'past', mode: 'sql', format: 'time_series', rawSql: rawSql('1s') },
          { refId: 'sane', mode: 'sql', format: 'time_series', rawSql: rawSql('1h') },
        ],
      });
      assert.equal(res.status, 200, res.text);
      const past = res.body.results.past.frames[0];
      assert.equal(past.data.values[0].length, 6);
      assert.match(past.schema.meta.notices[0].text, /Fill operation skipped/);
      const sane = res.body.results.sane.frames[0];
      assert.equal(sane.data.values[0].length, 25);
      const readings = [1, 2, 3].flatMap((d) =>
        [0, 1, 2, 3, 4, 5].filter((i) => !(d === 3 && i === 2)).map((i) => d * 10 + i)
      );
      assert.deepEqual(sane.data.values[1].slice(0, 3), [readings.reduce((a, b) => a + b) / readings.length, 0, 0]);
    });

    it('SQL mode: a long result that would widen into rows × series is refused before it is built', async () => {
      const res = await query({
        range: DAY,
        queries: [
          {
            refId: 'W',
            mode: 'sql',
            format: 'time_series',
            rawSql: `SELECT to_timestamp(i) AS time, 's' || i AS s, 1 AS v FROM generate_series(1, 2000) i ORDER BY 1`,
          },
          {
            refId: 'ok',
            mode: 'sql',
            format: 'time_series',
            rawSql: `SELECT time, device, value FROM metrics ORDER BY 1`,
          },
        ],
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.results.W.status, 422);
      assert.equal(res.body.results.W.errorCode, 'result_too_large');
      assert.match(res.body.results.W.error, /2000 times × 2001 fields/);
      assert.equal(res.body.results.ok.frames[0].schema.fields.length, 4);
    });

    it('shares the byte cap between the queries of one response', async () => {
      const table = (n: number) => `SELECT x, x * 2 AS y FROM generate_series(1, ${n}) x`;
      const res = await query({
        range: DAY,
        queries: [
          { refId: 'a', mode: 'sql', format: 'table', rawSql: table(4500) },
          { refId: 'b', mode: 'sql', format: 'table', rawSql: table(4500) },
          { refId: 'c', mode: 'sql', format: 'table', rawSql: table(4500) },
          { refId: 'small', mode: 'sql', format: 'table', rawSql: 'SELECT 1 AS one' },
        ],
      });
      assert.equal(res.status, 200, res.text);
      const r = res.body.results;
      const refused = ['a', 'b', 'c'].filter((k) => r[k].status === 422);
      assert.ok(refused.length >= 1 && refused.length < 3, JSON.stringify(refused));
      for (const k of refused) {
        assert.match(r[k].error, /Together with the other queries of this request/);
      }
      assert.ok(res.text.length < MAX_BYTES, `response of ${res.text.length} bytes`);
      const wide = `SELECT x, repeat('x', 100) AS text FROM generate_series(1, 4900) x`;
      const single = await query({
        range: DAY,
        queries: [{ refId: 'big', mode: 'sql', format: 'table', rawSql: wide }],
      });
      assert.equal(single.body.results.big.status, 422);
      assert.match(single.body.results.big.error, /larger than 300000 bytes/);
    });

    it('refuses too many queries, unusable intervals and ranges outside years 0001–9999 with a 400', async () => {
      const many = await query({
        range: DAY,
        queries: Array.from({ length: 101 }, (_, i) => ({ refId: `q${i}`, mode: 'sql', rawSql: 'SELECT 1' })),
      });
      assert.equal(many.status, 400, many.text);
      assert.equal(many.body.error, 'too_many_queries');
      const infinite = await api(getCtx(), '/api/v1/query', {
        body: `{"range":{"from":"${DAY.from}","to":"${DAY.to}"},"intervalMs":1e400,"queries":[{"refId":"A","mode":"sql","rawSql":"SELECT $__interval_ms AS x"}]}`,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(infinite.status, 400, infinite.text);
      assert.match(infinite.body.message, /intervalMs/);
      for (const range of [
        { from: '2024-01-01T00:00:00Z', to: '+010000-01-01T00:00:00Z' },
        { from: '-000001-01-01T00:00:00Z', to: '2024-01-01T00:00:00Z' },
      ]) {
        const res = await query({ range, queries: [{ refId: 'A', mode: 'builder', table: 'metrics', metrics: AVG }] });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error, 'invalid_range');
      }
      await stillServing(getCtx());
    });
  },
  {
    env: { MAX_ROW_LIMIT: String(MAX_ROWS), DEFAULT_ROW_LIMIT: '100', BODY_LIMIT: String(MAX_BYTES) },
    setup: async (db, info) => {
      await createFixtures(db, info.timescale);
      await db.query(`CREATE TABLE big (time timestamptz NOT NULL, v double precision)`);
      await db.query(
        `INSERT INTO big SELECT timestamptz '2024-01-01T00:00:00Z' + i * interval '1 second', i FROM generate_series(1, 6000) i`
      );
    },
  }
);

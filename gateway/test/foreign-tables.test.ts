import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';
import { TEST_DATABASE_URL } from './helpers/postgres-server';
import { buildBuilderQuery } from '../src/sql/builder';
import { dialectForTable, readsForeignData } from '../src/sql/foreign-pushdown';
import { requestContext } from '../src/query/query-context';
import type { BuilderQuery } from '../src/contract/query';
import type { Db } from '../src/db/types';

/**
 * Foreign tables through postgres_fdw to a second database on the same PostgreSQL server
 * (`rep_remote_<pid>`, dropped after), the way the seed's example uses them: a foreign table
 * `external_data_view` over the remote `measurements`, and a view that UNION ALLs it with a
 * local table. The embedded database has no postgres_fdw; there the suite checks that plain
 * tables keep TimescaleDB's own functions.
 */

const REMOTE_DB = `rep_remote_${process.pid}`;
const HOUR = 3_600_000;
const START = Date.parse('2026-11-20T00:00:00Z');
const RANGE = { from: '2026-11-20T00:00:00Z', to: '2026-11-20T06:00:00Z' };

/** Remote rows: sensors 1 and 2, one reading every 10 minutes for 8 hours (some outside RANGE). */
const remoteRows = Array.from({ length: 48 }, (_, i) => ({
  ts: START + i * 600_000,
  sensor: 1 + (i % 2),
  value: (i * 7) % 23,
}));
/** Local rows: sensor 3, one reading every 30 minutes for 8 hours. */
const localRows = Array.from({ length: 16 }, (_, i) => ({ ts: START + i * 1_800_000, sensor: 3, value: 100 + i }));

const inRange = (ts: number) => ts >= Date.parse(RANGE.from) && ts <= Date.parse(RANGE.to);

async function onAdminServer<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function remoteUrl(): URL {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${REMOTE_DB}`;
  return url;
}

async function setUpForeignData(db: Db): Promise<void> {
  await onAdminServer((c) => c.query(`CREATE DATABASE "${REMOTE_DB}"`));
  const remote = new pg.Client({ connectionString: remoteUrl().toString() });
  await remote.connect();
  try {
    await remote.query(
      `CREATE TABLE measurements ("timestamp" timestamptz NOT NULL, sensor_id int NOT NULL, value double precision)`
    );
    await remote.query(
      `INSERT INTO measurements SELECT to_timestamp(t / 1000.0), s, v FROM unnest($1::float8[], $2::int[], $3::float8[]) AS u(t, s, v)`,
      [remoteRows.map((r) => r.ts), remoteRows.map((r) => r.sensor), remoteRows.map((r) => r.value)]
    );
  } finally {
    await remote.end();
  }
  const url = remoteUrl();
  // The seed's shape: a server, a user mapping, a foreign table named external_data_view.
  await db.query('CREATE EXTENSION IF NOT EXISTS postgres_fdw');
  await db.query(
    `CREATE SERVER rep_external FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '${url.hostname}', port '${url.port || '5432'}', dbname '${REMOTE_DB}')`
  );
  await db.query(
    `CREATE USER MAPPING FOR CURRENT_USER SERVER rep_external OPTIONS (user '${decodeURIComponent(url.username || 'postgres')}')`
  );
  await db.query(
    `CREATE FOREIGN TABLE external_data_view ("timestamp" timestamptz NOT NULL, sensor_id int NOT NULL, value double precision) SERVER rep_external OPTIONS (table_name 'measurements')`
  );
  await db.query(
    `CREATE TABLE rep_local_readings ("timestamp" timestamptz NOT NULL, sensor_id int NOT NULL, value double precision)`
  );
  await db.query(`CREATE INDEX ON rep_local_readings ("timestamp")`);
  await db.query(
    `INSERT INTO rep_local_readings SELECT to_timestamp(t / 1000.0), s, v FROM unnest($1::float8[], $2::int[], $3::float8[]) AS u(t, s, v)`,
    [localRows.map((r) => r.ts), localRows.map((r) => r.sensor), localRows.map((r) => r.value)]
  );
  await db.query(`CREATE VIEW rep_all_readings AS
    SELECT "timestamp", sensor_id, value FROM rep_local_readings
    UNION ALL
    SELECT "timestamp", sensor_id, value FROM external_data_view`);
  // A view over that view: the catalog follows views down to the foreign table.
  await db.query(`CREATE VIEW rep_recent_readings AS SELECT * FROM rep_all_readings WHERE sensor_id > 0`);
}

/** The `Remote SQL:` lines of EXPLAIN VERBOSE, and the whole plan text. */
async function explain(db: Db, sql: string, params: unknown[]): Promise<{ remote: string[]; plan: string }> {
  const res = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE, COSTS OFF) ${sql}`, params);
  const lines = res.rows.map((r) => r['QUERY PLAN']);
  return { remote: lines.filter((l) => l.includes('Remote SQL:')), plan: lines.join('\n') };
}

/** The builder's SQL as the gateway builds it for a TimescaleDB server, so the dialect switch shows. */
function builtFor(ctx: TestContext, q: BuilderQuery) {
  const table = ctx.app.catalog.resolveTable(q.table);
  const rc = requestContext({ range: RANGE, intervalMs: HOUR, maxDataPoints: 100, queries: [q] }, true);
  return buildBuilderQuery(q, {
    ...rc,
    dialect: dialectForTable(table.entry, 'timescaledb'),
    shippable: readsForeignData(table.entry),
    table: { name: table.name, sql: table.ident, columns: table.columns, timeColumn: table.timeColumn },
  });
}

const hourlyAvg: BuilderQuery = {
  refId: 'A',
  mode: 'builder',
  table: 'external_data_view',
  format: 'time_series',
  metrics: [{ column: 'value', aggregation: 'avg' }],
  groupBy: ['sensor_id'],
  bucket: '1h',
} as BuilderQuery;

/** avg per (hour, sensor) of rows in RANGE, computed here from the rows written. */
function expectedHourly(rows: typeof remoteRows): Map<string, number> {
  const sums = new Map<string, { n: number; sum: number }>();
  for (const r of rows.filter((x) => inRange(x.ts))) {
    const key = `${Math.floor(r.ts / HOUR) * HOUR}|${r.sensor}`;
    const s = sums.get(key) ?? { n: 0, sum: 0 };
    s.n++;
    s.sum += r.value;
    sums.set(key, s);
  }
  return new Map([...sums].map(([k, s]) => [k, s.sum / s.n]));
}

/** A wide time-series frame → "time|sensor" → value. */
function frameValues(frame: any): Map<string, number> {
  const out = new Map<string, number>();
  const times: number[] = frame.data.values[0];
  frame.schema.fields.slice(1).forEach((f: any, i: number) => {
    frame.data.values[i + 1].forEach((v: number | null, j: number) => {
      if (v !== null) {
        out.set(`${times[j]}|${f.labels.sensor_id}`, v);
      }
    });
  });
  return out;
}

forEachDatabase(
  (getCtx) => {
    after(async () => {
      if (getCtx().driver === 'postgres') {
        await onAdminServer((c) => c.query(`DROP DATABASE IF EXISTS "${REMOTE_DB}" WITH (FORCE)`));
      }
    });

    it('lists the foreign table with its server, wrapper and remote name, and the views that read it', async (t) => {
      const ctx = getCtx();
      const res = await api(ctx, '/api/v1/catalog');
      assert.equal(res.status, 200, res.text);
      const byName = Object.fromEntries(res.body.tables.map((x: { name: string }) => [x.name, x]));
      if (ctx.driver === 'embedded') {
        assert.ok(res.body.tables.every((x: any) => x.foreignTable === undefined && x.foreignSources === undefined));
        return t.skip('the embedded database has no postgres_fdw');
      }
      assert.equal(byName.external_data_view.kind, 'foreign_table');
      assert.deepEqual(byName.external_data_view.foreignTable, {
        server: 'rep_external',
        wrapper: 'postgres_fdw',
        remoteSchema: 'public',
        remoteName: 'measurements',
      });
      assert.equal(byName.external_data_view.timeColumn, 'timestamp', 'time column guessed as for any table');
      assert.deepEqual(byName.rep_all_readings.foreignSources, ['external_data_view']);
      assert.deepEqual(
        byName.rep_recent_readings.foreignSources,
        ['external_data_view'],
        'through a view over the view'
      );
      assert.equal(byName.rep_local_readings.foreignSources, undefined);
      assert.equal(byName.rep_local_readings.foreignTable, undefined);
    });

    it('builds date_bin rather than time_bucket on a foreign table, time_bucket on a local one', () => {
      const ctx = getCtx();
      if (ctx.driver === 'embedded') {
        // A local table on TimescaleDB keeps time_bucket.
        const local = buildBuilderQuery({ ...hourlyAvg, table: 'metrics' } as BuilderQuery, {
          ...requestContext({ range: RANGE, intervalMs: HOUR, maxDataPoints: 100, queries: [] }, true),
          table: {
            name: 'metrics',
            sql: '"public"."metrics"',
            columns: [
              { name: 'time', type: 'timestamp with time zone', kind: 'time' },
              { name: 'value', type: 'double precision', kind: 'number' },
              { name: 'sensor_id', type: 'integer', kind: 'number' },
            ],
            timeColumn: 'time',
          },
        });
        assert.match(local.sql, /time_bucket\(/);
        return;
      }
      const built = builtFor(ctx, hourlyAvg);
      assert.match(built.sql, /date_bin\(/);
      assert.doesNotMatch(built.sql, /time_bucket|date_trunc|now\(\)/);
      assert.ok(
        built.params.some((p) => p === new Date(RANGE.from).toISOString()),
        'time bounds are bound parameters'
      );
    });

    it('pushes the GROUP BY and the aggregate of a builder query to the remote server (EXPLAIN VERBOSE)', async (t) => {
      const ctx = getCtx();
      if (ctx.driver === 'embedded') {
        return t.skip('the embedded database has no postgres_fdw');
      }
      const built = builtFor(ctx, hourlyAvg);
      const { remote, plan } = await explain(ctx.db, built.sql, built.params);
      assert.equal(remote.length, 1, plan);
      assert.match(remote[0], /GROUP BY/, plan);
      assert.match(remote[0], /avg\(value\)/, plan);
      assert.match(remote[0], /date_bin\(/, plan);
      assert.match(remote[0], /WHERE .*"timestamp" >= .*"timestamp" <= /, plan);
      // The check can fail: date_trunc on timestamptz is only stable, so its GROUP BY stays here.
      const control = await explain(
        ctx.db,
        `SELECT date_trunc('hour', "timestamp"), avg(value) FROM external_data_view GROUP BY 1`,
        []
      );
      assert.doesNotMatch(control.remote.join('\n'), /GROUP BY/, control.plan);
    });

    it('keeps the aggregate remote when gaps are filled, with labels still text', async (t) => {
      const ctx = getCtx();
      if (ctx.driver === 'embedded') {
        return t.skip('the embedded database has no postgres_fdw');
      }
      const q = { ...hourlyAvg, fill: 'zero' } as BuilderQuery;
      const built = builtFor(ctx, q);
      const { remote, plan } = await explain(ctx.db, built.sql, built.params);
      assert.match(remote.join('\n'), /GROUP BY/, plan);
      const res = await api(ctx, '/api/v1/query', {
        body: { range: RANGE, intervalMs: HOUR, maxDataPoints: 100, queries: [q] },
      });
      const a = res.body.results.A;
      assert.equal(a.error, undefined, a.error);
      const frame = a.frames[0];
      assert.deepEqual(
        frame.schema.fields.slice(1).map((f: any) => f.labels),
        [{ sensor_id: '1' }, { sensor_id: '2' }]
      );
      // 00:00 … 06:00 inclusive: seven buckets, the last one holding the reading at 06:00.
      assert.equal(frame.data.values[0].length, 7);
    });

    it('answers a builder query on the foreign table with the remote rows, bucketed', async (t) => {
      const ctx = getCtx();
      if (ctx.driver === 'embedded') {
        return t.skip('the embedded database has no postgres_fdw');
      }
      const res = await api(ctx, '/api/v1/query', {
        body: { range: RANGE, intervalMs: HOUR, maxDataPoints: 100, queries: [hourlyAvg] },
      });
      assert.equal(res.status, 200, res.text);
      const a = res.body.results.A;
      assert.equal(a.error, undefined, a.error);
      assert.match(a.executedQueryString, /date_bin/);
      assert.deepEqual(frameValues(a.frames[0]), expectedHourly(remoteRows));
    });

    it('filters both branches of the UNION ALL view by time in a builder query', async (t) => {
      const ctx = getCtx();
      if (ctx.driver === 'embedded') {
        return t.skip('the embedded database has no postgres_fdw');
      }
      const q = { ...hourlyAvg, table: 'rep_all_readings' } as BuilderQuery;
      const built = builtFor(ctx, q);
      const { remote, plan } = await explain(ctx.db, built.sql, built.params);
      assert.equal(remote.length, 1, plan);
      assert.match(remote[0], /WHERE .*"timestamp" >= .*"timestamp" <= /, `time filter in the remote branch:\n${plan}`);
      assert.match(
        plan,
        /rep_local_readings[\s\S]*"timestamp" >= [\s\S]*"timestamp" <= /,
        `time filter in the local branch:\n${plan}`
      );
      const res = await api(ctx, '/api/v1/query', {
        body: { range: RANGE, intervalMs: HOUR, maxDataPoints: 100, queries: [q] },
      });
      const a = res.body.results.A;
      assert.equal(a.error, undefined, a.error);
      assert.deepEqual(frameValues(a.frames[0]), expectedHourly([...remoteRows, ...localRows]));
    });

    it('reads the UNION ALL view through GET /timescaledb/data/<view>, local and remote rows alike', async (t) => {
      const ctx = getCtx();
      if (ctx.driver === 'embedded') {
        return t.skip('the embedded database has no postgres_fdw');
      }
      const res = await api(ctx, `/timescaledb/data/rep_all_readings?from=${RANGE.from}&to=${RANGE.to}&limit=1000`);
      assert.equal(res.status, 200, res.text);
      const expected = [...remoteRows, ...localRows].filter((r) => inRange(r.ts));
      assert.equal(res.body.length, expected.length);
      assert.deepEqual(new Set(res.body.map((r: any) => r.sensor_id)), new Set([1, 2, 3]));
      assert.ok(res.body.every((r: any) => inRange(Date.parse(r.timestamp))));
      const bucketed = await api(
        ctx,
        `/timescaledb/data/external_data_view?from=${RANGE.from}&to=${RANGE.to}&bucket=1h&agg=avg&columns=value`
      );
      assert.equal(bucketed.status, 200, bucketed.text);
      const hourly = new Map<number, number[]>();
      for (const r of remoteRows.filter((x) => inRange(x.ts))) {
        hourly.set(Math.floor(r.ts / HOUR) * HOUR, [...(hourly.get(Math.floor(r.ts / HOUR) * HOUR) ?? []), r.value]);
      }
      assert.deepEqual(
        bucketed.body.map((r: any) => [Date.parse(r.timestamp), r.value]),
        [...hourly].sort((x, y) => x[0] - y[0]).map(([ts, vs]) => [ts, vs.reduce((s, v) => s + v, 0) / vs.length])
      );
    });

    it('writes a large batch into the foreign table with INSERT, not COPY', async (t) => {
      const ctx = getCtx();
      if (ctx.driver === 'embedded') {
        return t.skip('the embedded database has no postgres_fdw');
      }
      const copies: string[] = [];
      const realCopy = ctx.db.copyFrom!.bind(ctx.db);
      // A spy on the real driver: COPY still runs where it is used, and is counted.
      ctx.db.copyFrom = (tx, sql, csv) => {
        copies.push(sql);
        return realCopy(tx, sql, csv);
      };
      try {
        const rows = Array.from({ length: 30 }, (_, i) => ({
          timestamp: new Date(START + 10 * HOUR + i * 1000).toISOString(),
          sensor_id: 9,
          value: i,
        }));
        const res = await api(ctx, '/timescaledb/data/external_data_view', { body: rows });
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(res.body, { inserted: 30 });
        assert.deepEqual(copies, []);
        const remote = new pg.Client({ connectionString: remoteUrl().toString() });
        await remote.connect();
        const count = await remote
          .query(`SELECT count(*)::int AS n, sum(value)::float8 AS s FROM measurements WHERE sensor_id = 9`)
          .finally(() => remote.end());
        assert.deepEqual(count.rows[0], { n: 30, s: (29 * 30) / 2 });
        // The same batch into a local table goes through COPY: the spy sees it.
        const local = await api(ctx, '/timescaledb/data/rep_local_readings', { body: rows });
        assert.equal(local.status, 201, local.text);
        assert.equal(copies.length, 1);
      } finally {
        ctx.db.copyFrom = realCopy;
      }
    });
  },
  {
    env: { COPY_THRESHOLD_ROWS: '10' },
    setup: async (db, { driver }) => {
      if (driver === 'postgres') {
        await setUpForeignData(db);
      }
    },
  }
);

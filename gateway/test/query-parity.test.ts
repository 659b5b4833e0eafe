import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { Db } from '../src/db/types';
import { AGGREGATIONS } from '../src/contract/vocabulary';
import { createScratchDatabase, dropScratchDatabase, probePostgres } from './helpers/postgres-server';
import { TOKEN_SPEC, TOKENS } from './helpers/test-context';

/**
 * The same builder requests on the embedded TimescaleDB (time_bucket, time_bucket_gapfill,
 * locf, interpolate) and on plain PostgreSQL (date_bin, generate_series, window functions)
 * must give the same frames.
 */

async function seed(db: Db, timescale: boolean): Promise<void> {
  await db.query(
    `CREATE TABLE readings (time timestamptz NOT NULL, sensor text NOT NULL, value double precision, reading real, counter bigint)`
  );
  if (timescale) {
    await db.query(`SELECT create_hypertable('readings', 'time')`);
  }
  // Three sensors, one reading every 7 minutes for ~100 days, with a gap of a day and a counter reset.
  await db.query(`
    INSERT INTO readings
    SELECT timestamptz '2024-01-01T00:00:00Z' + i * interval '7 minutes', 's' || s,
           round((s * 10 + sin(i / 50.0) * 5)::numeric, 3)::float8,
           (s * 10 + sin(i / 37.0) * 5)::real,
           CASE WHEN i < 10000 THEN i * s ELSE (i - 10000) * s END
    FROM generate_series(0, 20600) i, generate_series(1, 3) s
    WHERE NOT (i BETWEEN 3000 AND 3205)`);
}

async function start(databaseUrl?: string) {
  const env: Record<string, string> = { GATEWAY_TOKENS: TOKEN_SPEC, LOG_LEVEL: 'silent', DATA_DIR: 'memory://' };
  if (databaseUrl) {
    env.DATABASE_URL = databaseUrl;
  }
  const app = await buildApp(loadConfig(env));
  await seed(app.db, app.capabilities.timescaledb !== null);
  await app.catalog.refresh();
  return app;
}

async function query(app: FastifyInstance, body: unknown) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/query',
    headers: { authorization: `Bearer ${TOKENS.admin}` },
    payload: body as object,
  });
  return res.json();
}

function assertFramesClose(a: any, b: any, label: string) {
  assert.equal(a.error, undefined, `${label} (embedded): ${a.error}\n${a.executedQueryString}`);
  assert.equal(b.error, undefined, `${label} (postgres): ${b.error}\n${b.executedQueryString}`);
  const fa = a.frames[0];
  const fb = b.frames[0];
  assert.deepEqual(fa.schema.fields, fb.schema.fields, label);
  fa.data.values.forEach((col: unknown[], i: number) => {
    const other = fb.data.values[i] as unknown[];
    assert.equal(col.length, other.length, `${label}: column ${i} length`);
    col.forEach((v, j) => {
      const w = other[j];
      if (typeof v === 'number' && typeof w === 'number') {
        assert.ok(Math.abs(v - w) <= 1e-9 * Math.max(1, Math.abs(v)), `${label}: [${i}][${j}] ${v} vs ${w}`);
      } else {
        assert.equal(v, w, `${label}: [${i}][${j}]`);
      }
    });
  });
}

describe('builder frames are the same on TimescaleDB and plain PostgreSQL', async () => {
  const probe = await probePostgres();
  if (!probe.ok) {
    it('skipped: PostgreSQL unreachable', { skip: probe.error }, () => undefined);
    return;
  }
  let embedded: FastifyInstance;
  let postgres: FastifyInstance;
  let scratch: { name: string; url: string };
  before(async () => {
    scratch = await createScratchDatabase();
    [embedded, postgres] = await Promise.all([start(), start(scratch.url)]);
    assert.ok(embedded.capabilities.timescaledb);
    assert.equal(postgres.capabilities.timescaledb, null);
  });
  after(async () => {
    await Promise.all([embedded?.close(), postgres?.close()]);
    if (scratch) {
      await dropScratchDatabase(scratch.name);
    }
  });

  const both = async (body: unknown, label: string) => {
    const [a, b] = await Promise.all([query(embedded, body), query(postgres, body)]);
    const refs = Object.keys(a.results);
    assert.deepEqual(refs.sort(), Object.keys(b.results).sort());
    for (const ref of refs) {
      assertFramesClose(a.results[ref], b.results[ref], `${label} ${ref}`);
    }
    return a;
  };

  const day = { from: '2024-01-20T00:00:00Z', to: '2024-01-23T00:00:00Z' };

  for (const aggregation of AGGREGATIONS.filter((a) => a !== 'none')) {
    it(`aggregation ${aggregation}`, async () => {
      const res = await both(
        {
          range: day,
          intervalMs: 60_000,
          maxDataPoints: 500,
          queries: [
            {
              refId: 'A',
              mode: 'builder',
              table: 'readings',
              metrics: [
                {
                  column: aggregation === 'rate' || aggregation === 'increase' ? 'counter' : 'value',
                  aggregation,
                  percentile: 90,
                },
              ],
              groupBy: ['sensor'],
              bucket: '1h',
            },
          ],
        },
        aggregation
      );
      const frame = res.results.A.frames[0];
      assert.equal(frame.schema.fields.length, 4);
      assert.ok(frame.data.values[0].length > 40);
    });
  }

  for (const fill of ['none', 'null', 'zero', 'previous', 'linear'] as const) {
    it(`fill ${fill} over a gap`, async () => {
      const res = await both(
        {
          range: day,
          intervalMs: 60_000,
          maxDataPoints: 1000,
          queries: [
            {
              refId: 'F',
              mode: 'builder',
              table: 'readings',
              metrics: [
                { column: 'value', aggregation: 'avg' },
                // a real (float4) column: its statistics come back at float4 precision, fill included
                { column: 'reading', aggregation: 'avg' },
              ],
              groupBy: ['sensor'],
              bucket: '30m',
              fill,
            },
          ],
        },
        `fill ${fill}`
      );
      const frame = res.results.F.frames[0];
      const times = frame.data.values[0] as number[];
      assert.equal(frame.schema.fields.length, 1 + 2 * 3);
      // The gap (2024-01-15 14:00 .. 2024-01-16 14:02) is outside; this range has data throughout for "none".
      assert.equal(times.length, fill === 'none' ? 144 : 145);
    });
  }

  it('fills the one-day gap the same way on both', async () => {
    for (const fill of ['null', 'zero', 'previous', 'linear']) {
      const res = await both(
        {
          range: { from: '2024-01-15T00:00:00Z', to: '2024-01-17T00:00:00Z' },
          maxDataPoints: 100,
          queries: [
            {
              refId: 'G',
              mode: 'builder',
              table: 'readings',
              metrics: [{ column: 'value', aggregation: 'max' }],
              bucket: '1h',
              fill,
            },
          ],
        },
        `gap ${fill}`
      );
      const values = res.results.G.frames[0].data.values[1] as Array<number | null>;
      assert.equal(values.length, 49);
      if (fill === 'null') {
        assert.ok(values.includes(null));
      }
      // The last bucket starts at `to` and holds no reading: nothing to interpolate towards.
      else {
        assert.ok(
          !values.slice(0, fill === 'linear' ? -1 : undefined).includes(null),
          `${fill}: ${JSON.stringify(values)}`
        );
      }
    }
  });

  for (const [bucket, timezone, range] of [
    ['500ms', 'UTC', { from: '2024-01-02T00:00:00Z', to: '2024-01-02T00:30:00Z' }],
    ['1d', 'Europe/Berlin', { from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' }],
    ['1w', 'America/New_York', { from: '2024-01-01T00:00:00Z', to: '2024-04-10T00:00:00Z' }],
    ['1M', 'Europe/Berlin', { from: '2024-01-01T00:00:00Z', to: '2024-04-10T00:00:00Z' }],
    ['1y', 'UTC', { from: '2023-06-01T00:00:00Z', to: '2024-04-10T00:00:00Z' }],
  ] as const) {
    for (const fill of ['none', 'previous']) {
      it(`bucket ${bucket} in ${timezone}, fill ${fill}`, async () => {
        const res = await both(
          {
            range,
            timezone,
            maxDataPoints: 10_000,
            queries: [
              {
                refId: 'Z',
                mode: 'builder',
                table: 'readings',
                metrics: [
                  { column: 'value', aggregation: 'avg' },
                  { column: 'counter', aggregation: 'rate' },
                ],
                bucket,
                fill,
              },
            ],
          },
          `${bucket} ${timezone} ${fill}`
        );
        assert.ok(res.results.Z.frames[0].data.values[0].length >= 1);
      });
    }
  }

  it('caps automatic buckets at maxDataPoints and widens explicit ones with a notice', async () => {
    const res = await both(
      {
        range: { from: '2024-01-01T00:00:00Z', to: '2024-03-01T00:00:00Z' },
        intervalMs: 1000,
        maxDataPoints: 120,
        queries: [
          {
            refId: 'auto',
            mode: 'builder',
            table: 'readings',
            metrics: [{ column: 'value', aggregation: 'avg' }],
            groupBy: ['sensor'],
          },
          {
            refId: 'fine',
            mode: 'builder',
            table: 'readings',
            metrics: [{ column: 'value', aggregation: 'avg' }],
            bucket: '1m',
            fill: 'null',
          },
          {
            refId: 'raw',
            mode: 'builder',
            table: 'readings',
            metrics: [{ column: 'value', aggregation: 'none' }],
            groupBy: ['sensor'],
          },
        ],
      },
      'cap'
    );
    for (const ref of ['auto', 'fine', 'raw']) {
      const frame = res.results[ref].frames[0];
      assert.ok(frame.data.values[0].length <= 120, `${ref}: ${frame.data.values[0].length}`);
    }
    assert.match(res.results.fine.frames[0].schema.meta.notices[0].text, /widened from 1m/);
    assert.match(
      res.results.raw.frames[0].schema.meta.notices[0].text,
      /Downsampled to at most 120 points per series .*LTTB/
    );
  });

  it('table format: aggregates per group without buckets, ordered and limited', async () => {
    const res = await both(
      {
        range: day,
        queries: [
          {
            refId: 'T',
            mode: 'builder',
            format: 'table',
            table: 'readings',
            metrics: [
              { column: 'value', aggregation: 'avg', alias: 'mean' },
              { column: 'value', aggregation: 'count' },
            ],
            groupBy: ['sensor'],
            filters: [{ column: 'sensor', op: 'IN', value: ['s1', 's3'] }],
            orderBy: [{ column: 'mean', direction: 'desc' }],
            limit: 1,
          },
        ],
      },
      'table'
    );
    const frame = res.results.T.frames[0];
    assert.deepEqual(
      frame.schema.fields.map((f: any) => f.name),
      ['sensor', 'mean', 'count(value)']
    );
    assert.deepEqual(frame.data.values[0], ['s3']);
  });
});

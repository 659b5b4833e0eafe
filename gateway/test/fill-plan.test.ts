import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { buildBuilderQuery } from '../src/sql/builder';
import type { BuilderQuery } from '../src/contract/query';

/**
 * Plan shape of gap-filled builder queries: the raw rows are aggregated first (by time_bucket,
 * which TimescaleDB can aggregate chunk by chunk) and only the bucket rows (one per bucket and
 * series) are sorted for the fill. Checked on the plan the database itself makes
 * (EXPLAIN (FORMAT JSON)) for every fill mode, on both databases.
 */

const FROM = Date.parse('2026-04-01T00:00:00Z');
const TO = Date.parse('2026-04-03T00:00:00Z');

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Partial Mode'?: string;
  Plans?: PlanNode[];
}

/** Whether some Sort in the plan sorts rows straight from a scan of `table` (or its chunks), with no aggregate in between. */
function sortsRawRows(node: PlanNode, table: string, underSort = false): boolean {
  const type = node['Node Type'];
  if (type === 'Sort' || type === 'Incremental Sort') {
    underSort = true;
  }
  if (type === 'Aggregate') {
    underSort = false;
  }
  const rel = node['Relation Name'];
  if (underSort && rel && (rel === table || rel.startsWith('_hyper_'))) {
    return true;
  }
  return (node.Plans ?? []).some((p) => sortsRawRows(p, table, underSort));
}

/** Whether the raw rows are aggregated chunk by chunk (a partial aggregate right above each chunk's scan). */
function aggregatesPerChunk(node: PlanNode): boolean {
  if (
    node['Node Type'] === 'Aggregate' &&
    node['Partial Mode'] === 'Partial' &&
    (node.Plans ?? []).some((p) => p['Relation Name']?.startsWith('_hyper_'))
  ) {
    return true;
  }
  return (node.Plans ?? []).some(aggregatesPerChunk);
}

async function plan(ctx: TestContext, sql: string, params: unknown[]): Promise<PlanNode> {
  const res = await ctx.db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const doc = res.rows[0]['QUERY PLAN'];
  const parsed = typeof doc === 'string' ? JSON.parse(doc) : doc;
  return (parsed as Array<{ Plan: PlanNode }>)[0].Plan;
}

function build(ctx: TestContext, fill: BuilderQuery['fill']) {
  const table = ctx.app.catalog.resolveTable('cagg_fill_rows');
  return buildBuilderQuery(
    {
      refId: 'A',
      mode: 'builder',
      table: 'cagg_fill_rows',
      metrics: [{ column: 'v', aggregation: 'avg' }],
      groupBy: ['sensor'],
      bucket: '10m',
      fill,
    },
    {
      dialect: ctx.timescale ? 'timescaledb' : 'postgres',
      table: { name: table.name, sql: table.ident, columns: table.columns, timeColumn: table.timeColumn },
      range: { from: FROM, to: TO },
      intervalMs: 60_000,
      maxDataPoints: 1000,
      timeZone: 'UTC',
    }
  );
}

forEachDatabase(
  (getCtx) => {
    for (const fill of ['null', 'zero', 'previous', 'linear'] as const) {
      it(`fill ${fill} aggregates first and sorts only the bucket rows`, async () => {
        const ctx = getCtx();
        const built = build(ctx, fill);
        assert.equal(sortsRawRows(await plan(ctx, built.sql, built.params), 'cagg_fill_rows'), false, built.sql);
      });
    }

    it('lets TimescaleDB aggregate each chunk where it is scanned, which gap-filling the raw rows did not', async (t) => {
      const ctx = getCtx();
      if (!ctx.timescale) {
        return t.skip('chunks and time_bucket_gapfill need TimescaleDB');
      }
      const built = build(ctx, 'linear');
      assert.equal(aggregatesPerChunk(await plan(ctx, built.sql, built.params)), true, built.sql);
      // The former shape: time_bucket_gapfill over the raw rows, one grouping for both.
      const former = `SELECT time_bucket_gapfill('10 minutes', ts, $1::timestamptz, $2::timestamptz) AS time, sensor, interpolate(avg(v)) FROM cagg_fill_rows WHERE ts >= $1::timestamptz AND ts <= $2::timestamptz GROUP BY 1, 2`;
      assert.equal(
        aggregatesPerChunk(await plan(ctx, former, [new Date(FROM).toISOString(), new Date(TO).toISOString()])),
        false
      );
    });
  },
  {
    setup: async (db, { timescale }) => {
      await db.query('CREATE TABLE cagg_fill_rows (ts timestamptz NOT NULL, sensor text, v double precision)');
      if (timescale) {
        await db.query(`SELECT create_hypertable('cagg_fill_rows', 'ts', chunk_time_interval => interval '1 day')`);
      }
      // 20k rows, 4 sensors, with a six-hour gap to fill.
      await db.query(`INSERT INTO cagg_fill_rows SELECT t, 's' || (i % 4), sin(i) FROM generate_series(0, 19999) AS i, LATERAL (SELECT timestamptz '2026-04-01' + i * interval '8 seconds' AS t) x
                      WHERE t NOT BETWEEN '2026-04-01 12:00' AND '2026-04-01 18:00'`);
      await db.query('ANALYZE cagg_fill_rows');
    },
  }
);

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { routeToContinuousAggregate } from '../../src/sql/cagg-routing';
import { Params, type BuilderContext, type BuilderTable } from '../../src/sql/builder-context';
import type { ContinuousAggregate } from '../../src/catalog/continuous-aggregates';
import type { BuilderQuery, MetricSpec } from '../../src/contract/query';
import { buildBuilderQuery } from '../../src/sql/builder';
import { renderBuilderQuery } from '../../src/sql/render-builder';

/** The routing rules on their own: which caggs may answer which queries, and why not. */

const table: BuilderTable = {
  name: 'm',
  sql: '"public"."m"',
  timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'timestamp with time zone', kind: 'time' },
    { name: 'sensor', type: 'text', kind: 'string' },
    { name: 'site', type: 'text', kind: 'string' },
    { name: 'v', type: 'double precision', kind: 'number' },
    { name: 'r', type: 'real', kind: 'number' },
  ],
};
const cagg = (over: Partial<ContinuousAggregate> = {}): ContinuousAggregate => ({
  name: 'm_1m',
  ident: '"public"."m_1m"',
  source: 'm',
  parent: null,
  matHypertableId: 2,
  materializedOnly: false,
  bucket: { widthMs: 60_000, originMs: null, offsetMs: null, timeZone: null },
  bucketColumn: 'bucket',
  timeColumn: 'ts',
  groupBy: [{ output: 'sensor', column: 'sensor' }],
  groupByComplete: true,
  aggregates: [
    { output: 'sv', fn: 'sum', column: 'v' },
    { output: 'cv', fn: 'count', column: 'v' },
    { output: 'av', fn: 'avg', column: 'v' },
    { output: 'sr', fn: 'sum', column: 'r' },
    { output: 'cr', fn: 'count', column: 'r' },
  ],
  unroutable: null,
  ...over,
});
const ctx: BuilderContext = {
  dialect: 'timescaledb',
  table,
  range: { from: Date.parse('2026-01-01T00:00:30Z'), to: Date.parse('2026-01-02T00:00:00Z') },
  intervalMs: 60_000,
  maxDataPoints: 2000,
  timeZone: 'UTC',
};
const q = (metrics: MetricSpec[], over: Partial<BuilderQuery> = {}): BuilderQuery => ({
  refId: 'A',
  mode: 'builder',
  table: 'm',
  metrics,
  bucket: '5m',
  ...over,
});
const col = (name: string) => table.columns.find((c) => c.name === name)!;
const route = (query: BuilderQuery, c: ContinuousAggregate, context = ctx, bucket = { months: 0, ms: 300_000 }) =>
  routeToContinuousAggregate(
    query,
    context,
    {
      time: col('ts'),
      timeKind: 'timestamptz',
      groups: (query.groupBy ?? []).map(col),
      metrics: query.metrics.map((spec) => ({ spec, column: col(spec.column) })),
    },
    bucket,
    [c],
    new Params()
  );

describe('continuous-aggregate routing rules', () => {
  it('runs routed, but renders SQL-mode text over the table that follows the dashboard range', () => {
    const query = q([{ column: 'v', aggregation: 'avg' }], { groupBy: ['sensor'] });
    const { built, sqlModeText } = renderBuilderQuery(query, { ...ctx, continuousAggregates: [cagg()] });
    assert.equal(built.servedBy, 'm_1m', 'the statement that runs reads the cagg');
    assert.doesNotMatch(sqlModeText, /m_1m|2026-01-0/, 'no cagg and no range-bound times in the text');
    assert.match(sqlModeText, /\$__timeFilter\("ts"\)/);
  });

  it('averages as sum of sums over sum of counts, never as an average of averages', () => {
    const { route: r } = route(q([{ column: 'v', aggregation: 'avg' }]), cagg());
    assert.ok(r);
    assert.equal(r.aggs[0], '(sum("v0s")::float8 / NULLIF(sum("v0c"), 0)::float8)');
    assert.match(r.src, /"sv" AS "v0s", "cv" AS "v0c"/);
    const onlyAvg = cagg({ aggregates: [{ output: 'av', fn: 'avg', column: 'v' }] });
    assert.deepEqual(route(q([{ column: 'v', aggregation: 'avg' }]), onlyAvg).reasons, [
      'm_1m: it stores no count("v") to weigh averages by',
    ]);
  });

  it('reads the range edges that do not fill a cagg bucket from the table', () => {
    const { route: r } = route(q([{ column: 'v', aggregation: 'sum' }]), cagg());
    assert.match(
      r!.src,
      /FROM "public"\."m_1m" WHERE "bucket" >= \$3::timestamptz AND "bucket" < \$4::timestamptz UNION ALL SELECT .* FROM "public"\."m" WHERE \(\("ts" >= \$1::timestamptz AND "ts" < \$3::timestamptz\) OR \("ts" >= \$4::timestamptz AND "ts" <= \$2::timestamptz\)\)/
    );
  });

  it('reads a materialized-only cagg up to its watermark only', () => {
    const { route: r } = route(
      q([{ column: 'v', aggregation: 'max' }]),
      cagg({ materializedOnly: true, aggregates: [{ output: 'mx', fn: 'max', column: 'v' }] })
    );
    assert.match(r!.src, /_timescaledb_functions\.cagg_watermark\(\$5::int4\)/);
    assert.match(r!.notice.text, /past its last refresh/);
  });

  const refusals: Array<
    [string, BuilderQuery, ContinuousAggregate, RegExp, Partial<BuilderContext>?, { months: number; ms: number }?]
  > = [
    [
      'percentiles',
      q([{ column: 'v', aggregation: 'percentile', percentile: 90 }]),
      cagg(),
      /percentile does not compose/,
    ],
    [
      'a bucket the cagg width does not divide',
      q([{ column: 'v', aggregation: 'sum' }], { bucket: '90s' }),
      cagg(),
      /do not divide 90s/,
      {},
      { months: 0, ms: 90_000 },
    ],
    [
      'an origin off the grid',
      q([{ column: 'v', aggregation: 'sum' }]),
      cagg({ bucket: { widthMs: 60_000, originMs: Date.UTC(2000, 0, 1, 0, 0, 30), offsetMs: null, timeZone: null } }),
      /origin/,
    ],
    [
      'a group-by the cagg lacks',
      q([{ column: 'v', aggregation: 'sum' }], { groupBy: ['site'] }),
      cagg(),
      /does not group by "site"/,
    ],
    [
      'a filter on a column the cagg lacks',
      q([{ column: 'v', aggregation: 'sum' }], { filters: [{ column: 'v', op: '>', value: 1 }] }),
      cagg(),
      /filter column "v"/,
    ],
    [
      "first over a coarser grouping than the cagg's (ties between its rows of one bucket)",
      q([{ column: 'v', aggregation: 'first' }]),
      cagg({ aggregates: [{ output: 'f', fn: 'first', column: 'v' }] }),
      /group by all of its group-by columns/,
    ],
    ['a float4 sum added in float4', q([{ column: 'r', aggregation: 'sum' }]), cagg(), /single precision/],
    [
      'a cagg with its own time zone',
      q([{ column: 'v', aggregation: 'sum' }]),
      cagg({ bucket: { widthMs: 86_400_000, originMs: null, offsetMs: null, timeZone: 'Europe/Berlin' } }),
      /time-zone/,
    ],
    [
      'a cagg whose view filters',
      q([{ column: 'v', aggregation: 'sum' }]),
      cagg({ unroutable: 'it filters rows (WHERE)' }),
      /WHERE/,
    ],
    [
      'a range shorter than one cagg bucket',
      q([{ column: 'v', aggregation: 'sum' }]),
      cagg(),
      /shorter/,
      { range: { from: Date.parse('2026-01-01T00:00:10Z'), to: Date.parse('2026-01-01T00:00:50Z') } },
    ],
  ];
  for (const [what, query, c, why, over, bucket] of refusals) {
    it(`reads the table for ${what}`, () => {
      const res = route(query, c, { ...ctx, ...over }, bucket);
      assert.equal(res.route, null);
      assert.match(res.reasons.join(' '), why);
    });
  }

  it('is off when the query says so, and on plain PostgreSQL', () => {
    assert.equal(route(q([{ column: 'v', aggregation: 'sum' }], { continuousAggregates: false }), cagg()).route, null);
    assert.equal(route(q([{ column: 'v', aggregation: 'sum' }]), cagg(), { ...ctx, dialect: 'postgres' }).route, null);
  });

  it('the builder names the relation that served the query', () => {
    const built = buildBuilderQuery(q([{ column: 'v', aggregation: 'avg' }]), {
      ...ctx,
      continuousAggregates: [cagg()],
    });
    assert.equal(built.servedBy, 'm_1m');
    assert.match(built.notices[0].text, /^Served from continuous aggregate m_1m \(1m buckets\)/);
    assert.equal(buildBuilderQuery(q([{ column: 'v', aggregation: 'avg' }]), ctx).servedBy, 'm');
  });
});

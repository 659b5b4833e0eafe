import type { ContinuousAggregate, StoredAggregate } from '../catalog/continuous-aggregates';
import type { BuilderQuery, FrameNotice, MetricSpec } from '../contract/query';
import { atColumnPrecision } from './aggregations';
import type { TimeKind } from './bucket-sql';
import { usesTimeZone } from './bucket-sql';
import { type BuilderColumn, type BuilderContext, type BuilderTable, type Params, col } from './builder-context';
import { builderAdhocFilters, builderFilters } from './filters';
import { type BucketInterval, formatBucket } from '../time/interval';
import { quoteIdent } from '../pg/quote';

/**
 * Continuous-aggregate routing: a bucketed builder query over a hypertable is answered from a
 * continuous aggregate of it when that gives exactly the raw answer.
 *
 * Rules (every one must hold, else the raw table serves the query):
 * - the cagg's buckets tile the requested ones: a fixed width, no time zone of its own, every
 *   requested bucket boundary on the cagg's grid (width divides, origins agree; day, week and
 *   month buckets in a time zone need a cagg width dividing 15 minutes, the grain of UTC offsets);
 * - the query's group-by and filter columns (ad hoc ones included) are group-by columns of it;
 * - every metric composes from what it stores, exactly: min of mins, max of maxes, sum of sums,
 *   count = sum of counts, avg = sum(sums) / sum(counts) (or of avg × count), first/last by
 *   bucket time. Never avg of avgs; median, percentiles, rate and increase never compose.
 *   Sums of a real (float4) column compose only when the cagg summed in double precision
 *   (`sum(v::float8)`), as the builder does.
 * The range's edges that do not cover a whole cagg bucket are read from the raw table, so the
 * answer is the raw one. Real-time caggs add their own not-yet-materialized tail; for
 * materialized-only caggs the gateway reads the raw rows past the cagg's watermark itself
 * (the same rows a real-time cagg would add), so they route too.
 */

/** What the builder resolved about the query (the builder's own `Resolved`, structurally). */
export interface RoutingInput {
  time: BuilderColumn | null;
  timeKind: TimeKind | null;
  groups: BuilderColumn[];
  metrics: Array<{ spec: MetricSpec; column: BuilderColumn }>;
}

export interface CaggRoute {
  cagg: ContinuousAggregate;
  /** The inner relation: `"t"`, `"g<i>"` and each metric's partial columns, cagg rows and raw edge rows alike. */
  src: string;
  /** Each metric's aggregate over the partial columns, in the raw aggregate's type. */
  aggs: string[];
  notice: FrameNotice;
}

// TimescaleDB's default origin for fixed-width buckets, the one the builder's buckets use.
const DEFAULT_ORIGIN_MS = Date.UTC(2000, 0, 3);
const UTC_OFFSET_GRAIN_MS = 15 * 60_000;

/** The best route (widest cagg bucket), or null with the reason when the raw table must serve. */
export function routeToContinuousAggregate(
  q: BuilderQuery,
  ctx: BuilderContext,
  r: RoutingInput,
  bucket: BucketInterval,
  caggs: readonly ContinuousAggregate[],
  params: Params
): { route: CaggRoute | null; reasons: string[] } {
  const reasons: string[] = [];
  if (q.continuousAggregates === false || caggs.length === 0 || ctx.dialect !== 'timescaledb') {
    return { route: null, reasons };
  }
  const usable = caggs
    .map((c) => ({ c, why: unusable(q, ctx, r, bucket, c) }))
    .filter(({ c, why }) => (why ? (reasons.push(`${c.name}: ${why}`), false) : true))
    .map(({ c }) => c)
    .sort((a, b) => b.bucket.widthMs! - a.bucket.widthMs!);
  if (usable.length === 0) {
    return { route: null, reasons };
  }
  return { route: buildRoute(q, ctx, r, usable[0], params), reasons };
}

function unusable(
  q: BuilderQuery,
  ctx: BuilderContext,
  r: RoutingInput,
  bucket: BucketInterval,
  c: ContinuousAggregate
): string | null {
  if (c.unroutable) {
    return c.unroutable;
  }
  if (!r.time || r.timeKind !== 'timestamptz' || r.time.name !== c.timeColumn) {
    return `its buckets are not over the query's time column`;
  }
  const w = c.bucket.widthMs;
  if (w === null || !Number.isInteger(w) || w <= 0 || c.bucket.timeZone) {
    return 'its buckets are calendar or time-zone buckets';
  }
  const origin = caggOrigin(c);
  if (mod(origin - DEFAULT_ORIGIN_MS, w) !== 0) {
    return 'its bucket origin is off the query buckets';
  }
  if (usesTimeZone(bucket, ctx.timeZone, 'timestamptz') || bucket.months > 0) {
    if (UTC_OFFSET_GRAIN_MS % w !== 0) {
      return `its ${formatBucket({ months: 0, ms: w })} buckets do not divide local days`;
    }
  } else if (!Number.isInteger(bucket.ms) || bucket.ms % w !== 0) {
    return `its ${formatBucket({ months: 0, ms: w })} buckets do not divide ${formatBucket(bucket)}`;
  }
  const [a, b] = innerRange(ctx, c);
  if (a >= b) {
    return 'the range is shorter than one of its buckets';
  }
  const groupColumns = new Set(c.groupBy.filter((g) => g.output === g.column).map((g) => g.column));
  for (const g of r.groups) {
    if (!groupColumns.has(g.name)) {
      return `it does not group by ${JSON.stringify(g.name)}`;
    }
  }
  for (const f of q.filters ?? []) {
    if (!groupColumns.has(f.column)) {
      return `it does not group by the filter column ${JSON.stringify(f.column)}`;
    }
  }
  for (const f of q.adhocFilters ?? []) {
    if (ctx.table.columns.some((col) => col.name === f.key) && !groupColumns.has(f.key)) {
      return `it does not group by the ad hoc filter column ${JSON.stringify(f.key)}`;
    }
  }
  for (const m of r.metrics) {
    const why = composition(m.spec, m.column, c).why;
    if (why) {
      return why;
    }
    // first/last pick by bucket time: two cagg rows of one query series may not share a bucket,
    // so the query must group by every group-by column of the cagg.
    if (
      (m.spec.aggregation === 'first' || m.spec.aggregation === 'last') &&
      !(c.groupByComplete && c.groupBy.every((g) => r.groups.some((x) => x.name === g.column)))
    ) {
      return `${m.spec.aggregation} needs the query to group by all of its group-by columns`;
    }
  }
  return null;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function caggOrigin(c: ContinuousAggregate): number {
  return (c.bucket.originMs ?? DEFAULT_ORIGIN_MS) + (c.bucket.offsetMs ?? 0);
}

/** [first cagg bucket inside the range, end of the last one that ends by `to`), epoch ms. */
function innerRange(ctx: BuilderContext, c: ContinuousAggregate): [number, number] {
  const w = c.bucket.widthMs!;
  const o = caggOrigin(c);
  const a = o + Math.ceil((ctx.range.from - o) / w) * w;
  const b = o + Math.floor((ctx.range.to - o) / w) * w;
  return [a, b];
}

interface Composition {
  why?: string;
  /** Partial columns: name suffix → cagg expression and raw-row expression. */
  partials?: Array<{ name: string; cagg: string; raw: string }>;
  /** The metric's aggregate over the partials (`p` = quoted partial name). */
  agg?: (p: (name: string) => string) => string;
}

const INTEGER_TYPES = new Set(['smallint', 'integer']);

function find(c: ContinuousAggregate, fn: StoredAggregate['fn'], column: string): StoredAggregate | undefined {
  return c.aggregates.find((a) => a.fn === fn && a.column === column);
}

/** How one metric composes from the cagg's stored aggregates, or why it does not. */
function composition(spec: MetricSpec, column: BuilderColumn, c: ContinuousAggregate): Composition {
  const v = col(column);
  const name = JSON.stringify(column.name);
  const real = column.type === 'real';
  const count = find(c, 'count', column.name) ?? (column.nullable === false ? find(c, 'count_rows', '') : undefined);
  const rawCount = `CASE WHEN ${v} IS NULL THEN 0 ELSE 1 END`;
  switch (spec.aggregation) {
    case 'min':
    case 'max':
    case 'first':
    case 'last': {
      const stored = find(c, spec.aggregation, column.name);
      if (!stored) {
        return { why: `it stores no ${spec.aggregation}(${name})` };
      }
      const agg =
        spec.aggregation === 'min' || spec.aggregation === 'max'
          ? (p: (n: string) => string) => `${spec.aggregation}(${p('x')})`
          : (p: (n: string) => string) => `${spec.aggregation}(${p('x')}, "t")`;
      return { partials: [{ name: 'x', cagg: quoteIdent(stored.output), raw: v }], agg };
    }
    case 'count':
      if (!count) {
        return { why: `it stores no count(${name})` };
      }
      return {
        partials: [{ name: 'c', cagg: quoteIdent(count.output), raw: rawCount }],
        agg: (p) => `sum(${p('c')})::bigint`,
      };
    case 'sum': {
      const sum = find(c, 'sum', column.name);
      if (!sum) {
        return { why: `it stores no sum(${name})` };
      }
      if (real && !sum.cast) {
        return { why: `its sum(${name}) adds in single precision` };
      }
      const agg = (p: (n: string) => string) =>
        real
          ? atColumnPrecision(`sum(${p('s')}::float8)`, spec, column)
          : INTEGER_TYPES.has(column.type)
            ? `sum(${p('s')})::bigint`
            : `sum(${p('s')})`;
      return { partials: [{ name: 's', cagg: quoteIdent(sum.output), raw: v }], agg };
    }
    case 'avg': {
      if (!count) {
        return { why: `it stores no count(${name}) to weigh averages by` };
      }
      const sum = find(c, 'sum', column.name);
      const avg = find(c, 'avg', column.name);
      let total: string;
      if (sum && (!real || sum.cast)) {
        total = quoteIdent(sum.output);
      } else if (avg) {
        total = `(${quoteIdent(avg.output)} * ${quoteIdent(count.output)})`;
      } else {
        return { why: `it stores no sum(${name}) or avg(${name})` };
      }
      const exact = column.kind === 'number' && !real && column.type !== 'double precision';
      const agg = (p: (n: string) => string) =>
        exact
          ? `(sum(${p('s')})::numeric / NULLIF(sum(${p('c')}), 0))`
          : atColumnPrecision(`(sum(${p('s')})::float8 / NULLIF(sum(${p('c')}), 0)::float8)`, spec, column);
      return {
        partials: [
          { name: 's', cagg: total, raw: v },
          { name: 'c', cagg: quoteIdent(count.output), raw: rawCount },
        ],
        agg,
      };
    }
    default:
      return { why: `${spec.aggregation} does not compose from buckets` };
  }
}

function buildRoute(
  q: BuilderQuery,
  ctx: BuilderContext,
  r: RoutingInput,
  c: ContinuousAggregate,
  params: Params
): CaggRoute {
  const [a, b] = innerRange(ctx, c);
  const time = r.time!;
  const ts = (ms: number) => params.add(new Date(ms).toISOString(), 'timestamptz');
  const from = ts(ctx.range.from);
  const to = ts(ctx.range.to);
  const innerFrom = ts(a);
  // Materialized-only: the cagg holds nothing past its watermark; the raw rows there are read instead.
  const innerTo = c.materializedOnly
    ? `GREATEST(${innerFrom}, LEAST(${ts(b)}, COALESCE(_timescaledb_functions.to_timestamp(_timescaledb_functions.cagg_watermark(${params.add(c.matHypertableId, 'int4')})), '-infinity'::timestamptz)))`
    : ts(b);
  const comps = r.metrics.map((m) => composition(m.spec, m.column, c));
  const partialName = (i: number, n: string) => quoteIdent(`v${i}${n}`);
  const caggCols = [`${quoteIdent(c.bucketColumn)} AS "t"`, ...r.groups.map((g, i) => `${col(g)}::text AS "g${i}"`)];
  const rawCols = [`${col(time)} AS "t"`, ...r.groups.map((g, i) => `${col(g)}::text AS "g${i}"`)];
  comps.forEach((comp, i) =>
    comp.partials!.forEach((p) => {
      caggCols.push(`${p.cagg} AS ${partialName(i, p.name)}`);
      rawCols.push(`${p.raw} AS ${partialName(i, p.name)}`);
    })
  );
  // Filters are on group-by columns the cagg outputs under the same names, so one table shape serves both sides.
  const groupTable: BuilderTable = {
    ...ctx.table,
    columns: ctx.table.columns.filter((x) => c.groupBy.some((g) => g.output === x.name && g.column === x.name)),
  };
  const caggWhere = [
    `${quoteIdent(c.bucketColumn)} >= ${innerFrom}`,
    `${quoteIdent(c.bucketColumn)} < ${innerTo}`,
    ...builderFilters(groupTable, q.filters, params),
    ...builderAdhocFilters(groupTable, q.adhocFilters, params),
  ];
  const t = col(time);
  const rawWhere = [
    `((${t} >= ${from} AND ${t} < ${innerFrom}) OR (${t} >= ${innerTo} AND ${t} <= ${to}))`,
    ...builderFilters(ctx.table, q.filters, params),
    ...builderAdhocFilters(ctx.table, q.adhocFilters, params),
  ];
  const src =
    `SELECT ${caggCols.join(', ')} FROM ${c.ident} WHERE ${caggWhere.join(' AND ')}` +
    ` UNION ALL SELECT ${rawCols.join(', ')} FROM ${ctx.table.sql} WHERE ${rawWhere.join(' AND ')}`;
  const aggs = comps.map((comp, i) => comp.agg!((n) => partialName(i, n)));
  const tail = c.materializedOnly ? ', and past its last refresh' : '';
  return {
    cagg: c,
    src,
    aggs,
    notice: {
      severity: 'info',
      text: `Served from continuous aggregate ${c.name} (${formatBucket({ months: 0, ms: c.bucket.widthMs! })} buckets); raw rows of ${ctx.table.name} only at the range's edges${tail}`,
    },
  };
}

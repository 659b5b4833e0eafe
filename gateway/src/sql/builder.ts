import { ApiError } from '../errors';
import type { BuilderQuery, FillMode, FrameNotice } from '../contract/query';
import { DEFAULT_FORMAT } from '../contract/vocabulary';
import {
  aggregateSql,
  atColumnPrecision,
  checkMetric,
  keepsFloat4Precision,
  counterDeltaSql,
  defaultMetricName,
} from './aggregations';
import { type TimeKind, bucketSql, gapfillBucketSql, intervalSql, usesTimeZone } from './bucket-sql';
import { type BuilderColumn, type BuilderContext, Params, col, findColumn, timeKindOf } from './builder-context';
import { bucketCount, capBucket } from './bucket-count';
import { checkBuilderShape, checkGapfillBuckets, rowCapOf } from '../limits/bounds';
import { builderAdhocFilters, builderFilters } from './filters';
import { type BucketInterval, formatBucket, parseBucketInterval, smallestNiceBucketAtLeast } from '../time/interval';
import { quoteLiteral } from '../pg/quote';
import { routeToContinuousAggregate } from './cagg-routing';

/**
 * Builder query → one SQL statement plus bound parameters. Only catalog-checked identifiers
 * and the gateway's own aliases appear in the SQL text (`"t"`, `"g0"`, `"m0"`…); display names
 * (aliases, column names) are applied to the result afterwards through `rename`.
 *
 * Sizes are bounded before anything runs: a series never gets more points than
 * min(maxDataPoints, row cap) unless the query opts out, a gap-filled series never more buckets
 * than the row cap, and every statement ends in `LIMIT rowCap + 1` (the extra row only tells
 * the runner that the result is too large).
 */

export interface BuiltQuery {
  sql: string;
  params: unknown[];
  /** Result column → frame field name. */
  rename: Map<string, string>;
  format: 'time_series' | 'table';
  notices: FrameNotice[];
  bucket?: BucketInterval;
  /** Raw rows: the per-series point cap; rows carry `__n`, the series' row count, so the runner can tell a series was cut. */
  rawPointCap?: number;
  /** More rows than this means the result is too large (the SQL fetches at most one more). */
  rowCap: number;
  /** The relation that answered: the table, or the continuous aggregate the query was routed to. */
  servedBy?: string;
  /** Why each continuous aggregate of the table could not serve the query (empty when none exist or one did). */
  notRouted?: string[];
}

interface Resolved {
  format: 'time_series' | 'table';
  time: BuilderColumn | null;
  timeKind: TimeKind | null;
  groups: BuilderColumn[];
  metrics: Array<{ spec: BuilderQuery['metrics'][number]; column: BuilderColumn }>;
  raw: boolean;
}

function resolve(q: BuilderQuery, ctx: BuilderContext): Resolved {
  const format = q.format ?? DEFAULT_FORMAT.builder;
  if (q.metrics.length === 0) {
    throw new ApiError('invalid_query', `Query ${q.refId}: add at least one metric`, { refId: q.refId });
  }
  checkBuilderShape(q);
  const timeName = q.timeColumn ?? ctx.table.timeColumn;
  let time: BuilderColumn | null = null;
  let timeKind: TimeKind | null = null;
  if (timeName) {
    time = findColumn(ctx.table, timeName, 'time column');
    timeKind = timeKindOf(time);
    if (!timeKind) {
      throw new ApiError(
        'invalid_time_column',
        `Time column ${JSON.stringify(time.name)} is ${time.type}, not a timestamp or date`,
        {
          column: time.name,
        }
      );
    }
  } else if (format === 'time_series') {
    throw new ApiError(
      'no_time_column',
      `Table ${JSON.stringify(ctx.table.name)} has no time column; set timeColumn or use the table format`,
      {
        table: ctx.table.name,
      }
    );
  }
  const groups = (q.groupBy ?? []).map((g) => findColumn(ctx.table, g, 'group by'));
  const metrics = q.metrics.map((spec) => {
    const column = findColumn(ctx.table, spec.column, 'metric');
    checkMetric(spec, column, format);
    return { spec, column };
  });
  const rawCount = metrics.filter((m) => m.spec.aggregation === 'none').length;
  if (rawCount > 0 && rawCount < metrics.length) {
    throw new ApiError(
      'invalid_aggregation',
      'Aggregation "none" (raw rows) cannot be combined with other aggregations in one query'
    );
  }
  const names = new Set<string>(['time']);
  for (const name of [...groups.map((g) => g.name), ...metrics.map((m) => defaultMetricName(m.spec))]) {
    if (names.has(name)) {
      throw new ApiError(
        'duplicate_name',
        `Two outputs of query ${q.refId} are named ${JSON.stringify(name)}; give the metric an alias`,
        { name }
      );
    }
    names.add(name);
  }
  return { format, time, timeKind, groups, metrics, raw: rawCount > 0 };
}

/** Points one series may have: maxDataPoints, but never more than a whole result may hold. */
function pointBudget(ctx: BuilderContext): number {
  return Math.max(1, Math.min(ctx.maxDataPoints, rowCapOf(ctx.maxRows)));
}

/**
 * The bucket width: explicit or auto, widened (with a notice) to stay within the point budget.
 * `noPointCap` keeps the width as asked; a gap fill then still needs every bucket of the
 * range to fit in one result, since each becomes a row.
 */
function chooseBucket(
  q: BuilderQuery,
  ctx: BuilderContext,
  kind: TimeKind,
  fills: boolean,
  notices: FrameNotice[]
): BucketInterval {
  const text = q.bucket ?? 'auto';
  const rangeMs = ctx.range.to - ctx.range.from;
  const budget = pointBudget(ctx);
  let bucket: BucketInterval;
  if (text === 'auto') {
    bucket = smallestNiceBucketAtLeast(Math.max(ctx.intervalMs, rangeMs / budget, 1));
  } else {
    bucket = parseBucketInterval(text, 'bucket');
  }
  if (q.noPointCap) {
    if (fills) {
      checkGapfillBuckets(
        bucketCount(bucket, ctx.range, ctx.timeZone, kind),
        bucket,
        rowCapOf(ctx.maxRows),
        `Query ${q.refId}: bucket`
      );
    }
    return bucket;
  }
  const capped = capBucket(bucket, ctx.range, ctx.timeZone, budget, kind);
  if (text !== 'auto' && capped !== bucket) {
    notices.push({
      severity: 'info',
      text: `Bucket widened from ${formatBucket(bucket)} to ${formatBucket(capped)} to stay within ${budget} points per series`,
    });
  }
  return capped;
}

function sourceSql(q: BuilderQuery, ctx: BuilderContext, r: Resolved, params: Params): string {
  const select: string[] = [];
  if (r.time) {
    select.push(`${col(r.time)} AS "t"`);
  }
  r.groups.forEach((g, i) =>
    select.push(
      r.format === 'time_series' && !labelsAfterGrouping(ctx, r) ? `${col(g)}::text AS "g${i}"` : `${col(g)} AS "g${i}"`
    )
  );
  r.metrics.forEach((m, i) => select.push(`${col(m.column)} AS "v${i}"`));
  const counters = r.metrics.some((m) => m.spec.aggregation === 'rate' || m.spec.aggregation === 'increase');
  if (counters) {
    const partition = r.groups.length ? `PARTITION BY ${r.groups.map(col).join(', ')} ` : '';
    const window = `(${partition}ORDER BY ${col(r.time!)})`;
    r.metrics.forEach((m, i) => {
      if (m.spec.aggregation === 'rate' || m.spec.aggregation === 'increase') {
        select.push(`${counterDeltaSql(col(m.column), window)} AS "d${i}"`);
      }
    });
  }
  const where: string[] = [];
  if (r.time) {
    const cast = r.timeKind === 'timestamptz' ? 'timestamptz' : 'timestamp';
    const t = r.timeKind === 'date' ? `${col(r.time)}::timestamp` : col(r.time);
    where.push(params.timeFilter(t, ctx.range, cast));
  }
  where.push(...builderFilters(ctx.table, q.filters, params));
  where.push(...builderAdhocFilters(ctx.table, q.adhocFilters, params));
  return `SELECT ${select.join(', ')} FROM ${ctx.table.sql}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
}

/** Shippable aggregates group labels as they are and cast them to text after grouping (BuilderContext.shippable). */
function labelsAfterGrouping(ctx: BuilderContext, r: Resolved): boolean {
  return ctx.shippable === true && r.format === 'time_series' && !r.raw;
}

function labelOutputs(ctx: BuilderContext, r: Resolved, groupCols: string[]): string[] {
  return labelsAfterGrouping(ctx, r) ? groupCols.map((g) => `${g}::text AS ${g}`) : groupCols;
}

function renameMap(r: Resolved, metricPrefix: 'v' | 'm'): Map<string, string> {
  const rename = new Map<string, string>([['time', 'time']]);
  r.groups.forEach((g, i) => rename.set(`g${i}`, g.name));
  r.metrics.forEach((m, i) => rename.set(`${metricPrefix}${i}`, defaultMetricName(m.spec)));
  return rename;
}

/** ORDER BY, then the user's LIMIT (table format) or the row cap + 1, whichever is smaller. */
function orderAndLimit(
  q: BuilderQuery,
  r: Resolved,
  rename: Map<string, string>,
  params: Params,
  defaultOrder: string,
  rowCap: number
): string {
  let order = defaultOrder;
  if (r.format === 'table' && q.orderBy?.length) {
    const byDisplay = new Map([...rename].map(([alias, display]) => [display, alias]));
    order = q.orderBy
      .map((o) => {
        const alias =
          byDisplay.get(o.column) ?? (r.time && o.column === r.time.name && rename.has('time') ? 'time' : undefined);
        if (!alias || (alias === 'time' && !r.time)) {
          throw new ApiError(
            'unknown_column',
            `orderBy column ${JSON.stringify(o.column)} is not an output of the query`,
            { column: o.column }
          );
        }
        return `"${alias}" ${o.direction === 'desc' ? 'DESC' : 'ASC'}`;
      })
      .join(', ');
  }
  const sql = order ? ` ORDER BY ${order}` : '';
  const asked = r.format === 'table' && q.limit !== undefined ? q.limit : Infinity;
  return `${sql}${asked < rowCap + 1 ? params.limit(asked, false) : params.limit(rowCap + 1, true)}`;
}

function buildRaw(
  q: BuilderQuery,
  ctx: BuilderContext,
  r: Resolved,
  params: Params,
  src: string,
  rowCap: number
): BuiltQuery {
  const rename = renameMap(r, 'v');
  if (!r.time) {
    rename.delete('time');
  }
  const cols = [
    ...(r.time ? ['"t" AS "time"'] : []),
    ...r.groups.map((_, i) => `"g${i}"`),
    ...r.metrics.map((_, i) => `"v${i}"`),
  ];
  if (r.format === 'time_series' && !q.noPointCap) {
    const cap = pointBudget(ctx);
    const sql = rawCandidatesSql(r, params, src, cap, rowCap);
    return { sql, params: params.values, rename, format: r.format, notices: [], rawPointCap: cap, rowCap };
  }
  const defaultOrder = r.time ? '"time"' : '';
  const sql = `SELECT ${cols.join(', ')} FROM (${src}) AS "src"${orderAndLimit(q, r, rename, params, defaultOrder, rowCap)}`;
  return { sql, params: params.values, rename, format: r.format, notices: [], rowCap };
}

/**
 * Raw rows of a time series, first reduced in the database for series longer than `cap`: each
 * series is cut into equal runs of rows, and of each run the rows with the smallest and the
 * largest value of the first metric are kept, plus the series' first and last rows. That keeps
 * every peak, bounds what leaves the database to about twice the point budget (and the row
 * cap), and the gateway then picks the final points with LTTB (query/downsample-raw.ts).
 * `__n`, the series' full size, tells the runner which series were reduced.
 */
function rawCandidatesSql(r: Resolved, params: Params, src: string, cap: number, rowCap: number): string {
  const runs = Math.max(1, Math.floor((Math.min(2 * cap, rowCap) - 2) / 2));
  const series = r.groups.map((_, i) => `"g${i}"`);
  const partition = series.length ? `PARTITION BY ${series.join(', ')} ` : '';
  const values = r.metrics.map((_, i) => `"v${i}"`);
  const inner = [...(r.time ? ['"t"'] : []), ...series, ...values];
  const numbered = `SELECT ${inner.join(', ')}, row_number() OVER (${partition}ORDER BY "t") AS "__rn", count(*) OVER (${partition.trimEnd()}) AS "__n" FROM (${src}) AS "src"`;
  const run = `SELECT *, ("__rn" - 1) * ${params.add(runs, 'bigint')} / "__n" AS "__run" FROM (${numbered}) AS "numbered"`;
  const byRun = `PARTITION BY ${[...series, '"__run"'].join(', ')}`;
  const ranked = `SELECT *, row_number() OVER (${byRun} ORDER BY "v0" ASC NULLS LAST, "t") AS "__lo", row_number() OVER (${byRun} ORDER BY "v0" DESC NULLS LAST, "t") AS "__hi" FROM (${run}) AS "runs"`;
  const out = ['"t" AS "time"', ...series, ...values, '"__n"'];
  const keep = `"__n" <= ${params.add(cap, 'bigint')} OR "__lo" = 1 OR "__hi" = 1 OR "__rn" = 1 OR "__rn" = "__n"`;
  return `SELECT ${out.join(', ')} FROM (${ranked}) AS "ranked" WHERE ${keep} ORDER BY "time"${params.limit(rowCap + 1, true)}`;
}

function wrapFill(agg: string, fill: FillMode, metric: Resolved['metrics'][number]): string {
  switch (fill) {
    case 'zero':
      return `COALESCE(${agg}, 0)`;
    case 'previous':
      return `locf(${agg})`;
    case 'linear':
      // interpolate() must be the outermost call, so the float4 precision (see aggregations.ts)
      // goes on its argument: TimescaleDB interpolates real values in double and rounds once.
      return `interpolate((${agg})::${keepsFloat4Precision(metric.spec, metric.column) ? 'real' : 'float8'})`;
    default:
      return agg;
  }
}

/**
 * `params` decides how values and the request-dependent pieces are written: bound (the
 * default, the statement that runs) or as SQL-mode text (sql/sql-mode-params.ts).
 */
export function buildBuilderQuery(q: BuilderQuery, ctx: BuilderContext, params: Params = new Params()): BuiltQuery {
  const r = resolve(q, ctx);
  const rowCap = rowCapOf(ctx.maxRows);
  if (r.raw) {
    return buildRaw(q, ctx, r, params, sourceSql(q, ctx, r, params), rowCap);
  }
  const notices: FrameNotice[] = [];
  const bucketed = r.time !== null && (r.format === 'time_series' || q.bucket !== undefined);
  const bucket = bucketed ? chooseBucket(q, ctx, r.timeKind!, (q.fill ?? 'none') !== 'none', notices) : undefined;
  const fill: FillMode = bucket ? (q.fill ?? 'none') : 'none';
  // An auto bucket that is exactly the panel interval follows the panel in SQL-mode text.
  const panel =
    !!bucket &&
    (q.bucket ?? 'auto') === 'auto' &&
    bucket.months === 0 &&
    Number.isInteger(ctx.intervalMs) &&
    bucket.ms === ctx.intervalMs;
  const width = bucket ? params.bucketWidth(bucket, panel) : undefined;
  const groupCols = r.groups.map((_, i) => `"g${i}"`);
  const fixedSeconds = bucket && bucket.months === 0 ? params.bucketSeconds(bucket, panel) : null;
  // A continuous aggregate that composes into the same answer replaces the raw rows (cagg-routing.ts).
  const routing = bucket ? routeToContinuousAggregate(q, ctx, r, bucket, ctx.continuousAggregates ?? [], params) : null;
  const route = routing?.route ?? null;
  if (route) {
    notices.push(route.notice);
  }
  const src = route?.src ?? sourceSql(q, ctx, r, params);
  const aggs =
    route?.aggs ?? r.metrics.map((m, i) => aggregateSql(m.spec, i, ctx.dialect, params, fixedSeconds, m.column));
  const monthRates = bucket && bucket.months > 0 && r.metrics.some((m) => m.spec.aggregation === 'rate');
  const rename = renameMap(r, 'm');
  const kind = r.timeKind ?? 'timestamptz';

  let sql: string;
  if (!bucket) {
    const select = [...groupCols, ...aggs.map((a, i) => `${a} AS "m${i}"`)];
    const groupBy = groupCols.length ? ` GROUP BY ${groupCols.join(', ')}` : '';
    rename.delete('time');
    sql = `SELECT ${select.join(', ')} FROM (${src}) AS "src"${groupBy}${orderAndLimit(q, r, rename, params, groupCols.join(', '), rowCap)}`;
  } else if (fill === 'none' || ctx.dialect === 'timescaledb') {
    const timeExpr = params.bucket(
      { dialect: ctx.dialect, bucket, column: '"t"', timeZone: ctx.timeZone, timeKind: kind, width },
      panel
    );
    const select = [
      `${timeExpr} AS "time"`,
      ...labelOutputs(ctx, r, groupCols),
      ...aggs.map((a, i) => `${a} AS "m${i}"`),
    ];
    // A label cast after grouping is grouped by the source column ("src"."g0"), not its output.
    const positions = ['1', ...groupCols.map((g, i) => (labelsAfterGrouping(ctx, r) ? `"src".${g}` : String(i + 2)))];
    sql = `SELECT ${select.join(', ')} FROM (${src}) AS "src" GROUP BY ${positions.join(', ')}`;
    if (fill !== 'none') {
      // Aggregate first, then gap-fill the bucket rows: time_bucket_gapfill sorts its input by
      // series and time, and sorting one row per bucket costs little where sorting every raw
      // row spilled to disk. Each gap-fill bucket holds exactly one aggregated row, so first()
      // passes its value through unchanged.
      const cast = kind === 'timestamptz' ? 'timestamptz' : 'timestamp';
      const gapfill = gapfillBucketSql({
        dialect: ctx.dialect,
        bucket,
        column: '"time"',
        timeZone: ctx.timeZone,
        timeKind: kind === 'date' ? 'timestamp' : kind,
        width,
        start: params.timeFrom(ctx.range, cast),
        finish: params.gapfillFinish(ctx.range, cast),
      });
      const filled = r.metrics.map((m, i) => `${wrapFill(`first("m${i}", "time")`, fill, m)} AS "m${i}"`);
      const aggregatedPositions = ['1', ...groupCols.map((_, i) => String(i + 2))];
      sql = `SELECT ${[`${gapfill} AS "time"`, ...groupCols, ...filled].join(', ')} FROM (${sql}) AS "agg" GROUP BY ${aggregatedPositions.join(', ')}`;
    }
    sql += orderAndLimit(q, r, rename, params, ['"time"', ...groupCols].join(', '), rowCap);
  } else {
    sql = postgresGapfill(q, ctx, r, params, src, bucket, width!, fill, aggs, kind, rename, rowCap);
  }
  if (monthRates) {
    const divide = r.metrics.map((m, i) =>
      m.spec.aggregation === 'rate'
        ? `("m${i}" / extract(epoch from (("time" + ${intervalSql(bucket!)}) - "time"))) AS "m${i}"`
        : `"m${i}"`
    );
    sql = `SELECT "time", ${[...groupCols, ...divide].join(', ')} FROM (${sql}) AS "bucketed" ORDER BY "time"${groupCols.length ? ', ' + groupCols.join(', ') : ''}`;
    sql += params.limit(rowCap + 1, true);
  }
  return {
    sql,
    params: params.values,
    rename,
    format: r.format,
    notices,
    bucket,
    rowCap,
    servedBy: route?.cagg.name ?? ctx.table.name,
    notRouted: route ? [] : (routing?.reasons ?? []),
  };
}

/**
 * Gap filling on plain PostgreSQL, matching time_bucket_gapfill + locf/interpolate: every bucket
 * of the range for every series that has data, missing ones NULL, 0, the previous bucket's value,
 * or interpolated linearly between the neighbours (same formula, in microseconds).
 */
function postgresGapfill(
  q: BuilderQuery,
  ctx: BuilderContext,
  r: Resolved,
  params: Params,
  src: string,
  bucket: BucketInterval,
  width: string,
  fill: FillMode,
  aggs: string[],
  kind: TimeKind,
  rename: Map<string, string>,
  rowCap: number
): string {
  const groupCols = r.groups.map((_, i) => `"g${i}"`);
  const cast = kind === 'timestamptz' ? 'timestamptz' : 'timestamp';
  const from = params.timeFrom(ctx.range, cast);
  const to = params.timeTo(ctx.range, cast);
  const zoned = usesTimeZone(bucket, ctx.timeZone, kind);
  // Slots are generated on wall-clock time (local when zoned) so days and months keep their lengths.
  const wallZone = kind === 'timestamptz' ? quoteLiteral(zoned ? ctx.timeZone : 'UTC') : null;
  const toWall = (x: string) => (wallZone ? `(${x} AT TIME ZONE ${wallZone})` : x);
  const fromWall = (x: string) => (wallZone ? `(${x} AT TIME ZONE ${wallZone})` : x);
  const firstBucket = bucketSql({
    dialect: 'postgres',
    bucket,
    column: from,
    timeZone: ctx.timeZone,
    timeKind: kind === 'date' ? 'timestamp' : kind,
    width,
  });
  const agg = `SELECT ${bucketSql({ dialect: 'postgres', bucket, column: '"t"', timeZone: ctx.timeZone, timeKind: kind, width })} AS "time", ${[
    ...groupCols,
    ...aggs.map((a, i) => `${a} AS "m${i}"`),
  ].join(', ')} FROM (${src}) AS "src" GROUP BY ${[1, ...groupCols.map((_, i) => i + 2)].join(', ')}`;
  const slots = `SELECT ${fromWall('"s"')} AS "time" FROM generate_series(${toWall(firstBucket)}, ${toWall(to)}, ${width}) AS "s"`;
  const series = groupCols.length
    ? `SELECT DISTINCT ${groupCols.join(', ')} FROM "agg"`
    : `SELECT 1 AS "one" WHERE EXISTS (SELECT 1 FROM "agg")`;
  const gridCols = ['"slots"."time"', ...groupCols.map((g) => `"series".${g}`)];
  const joinOn = [
    '"agg"."time" = "slots"."time"',
    ...groupCols.map((g) => `"agg".${g} IS NOT DISTINCT FROM "series".${g}`),
  ];
  const joined = `SELECT ${[...gridCols, ...r.metrics.map((_, i) => `"agg"."m${i}"`), '("agg"."time" IS NOT NULL) AS "present"'].join(', ')} FROM "slots" CROSS JOIN "series" LEFT JOIN "agg" ON ${joinOn.join(' AND ')}`;
  const partition = groupCols.length ? `${groupCols.join(', ')}, ` : '';
  const marked = `SELECT *, count(*) FILTER (WHERE "present") OVER (${groupCols.length ? `PARTITION BY ${groupCols.join(', ')} ` : ''}ORDER BY "time") AS "grp_prev", count(*) FILTER (WHERE "present") OVER (${groupCols.length ? `PARTITION BY ${groupCols.join(', ')} ` : ''}ORDER BY "time" DESC) AS "grp_next" FROM "joined"`;
  const prevWin = `(PARTITION BY ${partition}"grp_prev" ORDER BY "time")`;
  const nextWin = `(PARTITION BY ${partition}"grp_next" ORDER BY "time" DESC)`;
  const filled = r.metrics.map((metric, i) => {
    const m = `"m${i}"`;
    switch (fill) {
      case 'zero':
        return `COALESCE(${m}, 0) AS ${m}`;
      case 'previous':
        return `CASE WHEN "present" THEN ${m} ELSE first_value(${m}) OVER ${prevWin} END AS ${m}`;
      case 'linear': {
        const y0 = `first_value(${m}::float8) OVER ${prevWin}`;
        const y1 = `first_value(${m}::float8) OVER ${nextWin}`;
        const x0 = `first_value("time") OVER ${prevWin}`;
        const x1 = `first_value("time") OVER ${nextWin}`;
        const micros = (a: string, b: string) => `(extract(epoch from (${a} - ${b})) * 1000000)::float8`;
        const value = `CASE WHEN "present" THEN ${m}::float8 WHEN "grp_prev" = 0 OR "grp_next" = 0 THEN NULL ELSE ${y0} + (${y1} - ${y0}) * ${micros('"time"', x0)} / ${micros(x1, x0)} END`;
        return `${atColumnPrecision(value, metric.spec, metric.column)} AS ${m}`;
      }
      default:
        return m;
    }
  });
  const order = orderAndLimit(q, r, rename, params, ['"time"', ...groupCols].join(', '), rowCap);
  return `WITH "agg" AS (${agg}), "slots" AS (${slots}), "series" AS (${series}), "joined" AS (${joined}), "marked" AS (${marked}) SELECT "time", ${[
    ...labelOutputs(ctx, r, groupCols),
    ...filled,
  ].join(', ')} FROM "marked"${order}`;
}

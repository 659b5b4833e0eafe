import { ApiError } from '../errors';
import type { MetricSpec } from '../contract/query';
import { needsNumbers } from '../contract/vocabulary';
import type { Dialect } from './bucket-sql';
import type { BuilderColumn, Params } from './builder-context';

/**
 * Aggregate expressions of the builder, over the inner relation's own aliases: `"t"` is the
 * time column, `"v<i>"` the metric's column and `"d<i>"` its counter delta (rate/increase).
 */

export function checkMetric(metric: MetricSpec, column: BuilderColumn, format: 'time_series' | 'table'): void {
  const numeric = column.kind === 'number';
  if (needsNumbers(metric.aggregation) && !numeric) {
    throw new ApiError(
      'invalid_aggregation',
      `Aggregation ${metric.aggregation} needs a numeric column; ${JSON.stringify(column.name)} is ${column.type}`,
      {
        column: column.name,
        aggregation: metric.aggregation,
      }
    );
  }
  if (format === 'time_series' && metric.aggregation !== 'count' && !numeric && column.kind !== 'boolean') {
    throw new ApiError(
      'invalid_aggregation',
      `Time series values must be numeric; ${JSON.stringify(column.name)} is ${column.type} (use count, or the table format)`,
      { column: column.name, aggregation: metric.aggregation }
    );
  }
  if (metric.aggregation === 'percentile' && metric.percentile === undefined) {
    throw new ApiError(
      'invalid_aggregation',
      `Aggregation percentile on ${JSON.stringify(column.name)} needs "percentile" (0–100)`,
      {
        column: column.name,
      }
    );
  }
  if ((metric.aggregation === 'min' || metric.aggregation === 'max') && column.kind === 'boolean') {
    throw new ApiError(
      'invalid_aggregation',
      `Aggregation ${metric.aggregation} is not defined for boolean column ${JSON.stringify(column.name)}`,
      {
        column: column.name,
      }
    );
  }
}

/** Counter increase between consecutive rows of one series; a drop is a reset, counted from zero. */
export function counterDeltaSql(value: string, window: string): string {
  const prev = `lag(${value}) OVER ${window}`;
  return `CASE WHEN ${prev} IS NULL THEN NULL WHEN ${value} >= ${prev} THEN ${value} - ${prev} ELSE ${value} END`;
}

/**
 * Values of a `real` (float4) column carry about 7 significant digits, but PostgreSQL returns
 * their avg, median and percentiles (and interpolations between them) as double precision,
 * printed with up to 17 digits that the data never held — most of a time series' bytes.
 * These results are cast back to real, the column's own precision (a relative difference
 * below 6e-8, well inside what a float4 reading can mean), on both dialects alike.
 * min, max, sum, first and last of a real column are real already; counts and counter rates
 * are other quantities and keep their types. double precision and numeric columns are untouched.
 */
const STATISTICS_OF_VALUES = new Set(['avg', 'median', 'percentile', 'min', 'max', 'sum', 'first', 'last']);

export function keepsFloat4Precision(metric: MetricSpec, column: BuilderColumn): boolean {
  return column.type === 'real' && STATISTICS_OF_VALUES.has(metric.aggregation);
}

/** `sql` cast back to real when the metric is a statistic of a real column (see above). */
export function atColumnPrecision(sql: string, metric: MetricSpec, column: BuilderColumn): string {
  return keepsFloat4Precision(metric, column) ? `(${sql})::real` : sql;
}

/** The aggregations PostgreSQL answers in double precision even over a real column. */
const WIDENING = new Set(['avg', 'median', 'percentile']);

export function aggregateSql(
  metric: MetricSpec,
  i: number,
  dialect: Dialect,
  params: Params,
  bucketSeconds: string | null,
  column: BuilderColumn
): string {
  if (metric.aggregation === 'sum' && column.type === 'real') {
    // sum(real) adds in float4, so its last digits depend on the order the rows arrive in
    // (the same rows gave 130.76999 on one server and 130.77 on another). Adding in double
    // precision and rounding once to the column's precision gives the same answer always.
    return atColumnPrecision(`sum("v${i}"::float8)`, metric, column);
  }
  const sql = aggregateSqlOf(metric, i, dialect, params, bucketSeconds);
  return WIDENING.has(metric.aggregation) ? atColumnPrecision(sql, metric, column) : sql;
}

function aggregateSqlOf(
  metric: MetricSpec,
  i: number,
  dialect: Dialect,
  params: Params,
  bucketSeconds: string | null
): string {
  const v = `"v${i}"`;
  switch (metric.aggregation) {
    case 'avg':
    case 'min':
    case 'max':
    case 'sum':
    case 'count':
      return `${metric.aggregation}(${v})`;
    case 'first':
      return dialect === 'timescaledb' ? `first(${v}, "t")` : `(array_agg(${v} ORDER BY "t" ASC))[1]`;
    case 'last':
      return dialect === 'timescaledb' ? `last(${v}, "t")` : `(array_agg(${v} ORDER BY "t" DESC))[1]`;
    case 'median':
      return `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${v})`;
    case 'percentile':
      return `percentile_cont(${params.add(metric.percentile! / 100, 'float8')}) WITHIN GROUP (ORDER BY ${v})`;
    case 'increase':
      return `sum("d${i}")`;
    case 'rate':
      // Per second over the bucket width, in double precision (an integer counter's sum would
      // otherwise divide as integers); month widths divide later, once the bucket is known.
      return bucketSeconds ? `(sum("d${i}")::float8 / ${bucketSeconds})` : `sum("d${i}")`;
    /* c8 ignore next 2 */
    default:
      throw new ApiError('invalid_aggregation', `Unknown aggregation ${metric.aggregation}`);
  }
}

export function defaultMetricName(metric: MetricSpec): string {
  if (metric.alias) {
    return metric.alias;
  }
  if (metric.aggregation === 'none') {
    return metric.column;
  }
  if (metric.aggregation === 'percentile') {
    return `p${metric.percentile}(${metric.column})`;
  }
  return `${metric.aggregation}(${metric.column})`;
}

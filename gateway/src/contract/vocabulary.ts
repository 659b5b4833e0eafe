/**
 * The words of the query contract, each defined once. The TypeBox schemas (query.ts) are built
 * from these arrays, and the plugin imports them at run time for its pickers and checks — so
 * this file imports nothing (no TypeBox in the plugin's bundle).
 */

/** Which editor wrote a query. */
export const EDITOR_MODES = ['builder', 'sql'] as const;
export type EditorMode = (typeof EDITOR_MODES)[number];

export const FORMATS = ['time_series', 'table'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * The format a query without one is answered in. SQL mode follows Grafana's PostgreSQL data
 * source, whose queries default to a table (grafana-sql's applyQueryDefaults; its backend,
 * sqleng, shapes a time series only when asked); the builder draws time series.
 */
export const DEFAULT_FORMAT: Readonly<Record<EditorMode, Format>> = { builder: 'time_series', sql: 'table' };

/**
 * Aggregations of the visual builder. `rate` and `increase` treat the column as a monotonic
 * counter that may reset; `percentile` reads the metric's `percentile` (0–100); `none` returns
 * raw rows.
 */
export const AGGREGATIONS = [
  'avg',
  'min',
  'max',
  'sum',
  'count',
  'first',
  'last',
  'median',
  'percentile',
  'rate',
  'increase',
  'none',
] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** The aggregations that need a numeric column; the others (count, first, last, raw) take any. */
export const NUMERIC_AGGREGATIONS = [
  'avg',
  'sum',
  'median',
  'percentile',
  'rate',
  'increase',
] as const satisfies readonly Aggregation[];

/** How empty buckets are shown: left out, NULL, 0, the previous value (locf) or interpolated. */
export const FILL_MODES = ['none', 'null', 'zero', 'previous', 'linear'] as const;
export type FillMode = (typeof FILL_MODES)[number];

export const FILTER_OPERATORS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'IN',
  'NOT IN',
  'LIKE',
  'ILIKE',
  'IS NULL',
  'IS NOT NULL',
] as const;
export type FilterOp = (typeof FILTER_OPERATORS)[number];

/** Operators whose value is a list. */
export const LIST_FILTER_OPERATORS = ['IN', 'NOT IN'] as const satisfies readonly FilterOp[];
/** Operators that take no value. */
export const UNARY_FILTER_OPERATORS = ['IS NULL', 'IS NOT NULL'] as const satisfies readonly FilterOp[];

export const isListFilterOperator = (op: FilterOp): boolean =>
  (LIST_FILTER_OPERATORS as readonly string[]).includes(op);
export const isUnaryFilterOperator = (op: FilterOp): boolean =>
  (UNARY_FILTER_OPERATORS as readonly string[]).includes(op);
export const needsNumbers = (aggregation: Aggregation): boolean =>
  (NUMERIC_AGGREGATIONS as readonly string[]).includes(aggregation);

/** Grafana's ad hoc filter operators the gateway applies (regex ones with PostgreSQL's `~`); others are not sent. */
export const ADHOC_OPERATORS = ['=', '!=', '<', '>', '<=', '>=', '=~', '!~'] as const;
export type AdHocOperator = (typeof ADHOC_OPERATORS)[number];

/**
 * Bucket widths. `auto` follows the panel interval (widened to the point budget). Otherwise a
 * Grafana short form — a number and one of BUCKET_SHORT_UNITS (Go compounds like `1m30s` too;
 * `d`, `w`, `M`, `y` are calendar days, weeks, months and years, a month never 30 days) — or a
 * simple PostgreSQL interval, a number and one of BUCKET_PG_UNITS (`15 minutes`, `1 month`).
 */
export const BUCKET_AUTO = 'auto';
export const BUCKET_SHORT_UNITS = ['ns', 'us', 'µs', 'ms', 's', 'm', 'h', 'd', 'w', 'M', 'y'] as const;
export type BucketPgUnit = (typeof BUCKET_PG_UNITS)[number];
export const BUCKET_PG_UNITS = [
  'microsecond',
  'microseconds',
  'millisecond',
  'milliseconds',
  'second',
  'seconds',
  'minute',
  'minutes',
  'hour',
  'hours',
  'day',
  'days',
  'week',
  'weeks',
  'month',
  'months',
  'mon',
  'mons',
  'year',
  'years',
] as const;
/** What the builder's bucket picker offers besides `auto`. */
export const BUCKET_PRESETS = [
  '1s',
  '10s',
  '30s',
  '1m',
  '5m',
  '15m',
  '30m',
  '1h',
  '6h',
  '12h',
  '1d',
  '1w',
  '1M',
  '1y',
] as const;

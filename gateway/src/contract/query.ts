import { Type, type Static, type TLiteral, type TUnion } from 'typebox';
import { ADHOC_OPERATORS, AGGREGATIONS, FILL_MODES, FILTER_OPERATORS, FORMATS } from './vocabulary';
import { ErrorCode } from './errors';

/** A union of string literals, one per word of a vocabulary array (vocabulary.ts). */
function literalUnion<const T extends readonly string[]>(values: T): TUnion<LiteralsOf<T>> {
  return Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<LiteralsOf<T>>;
}

/** The tuple of literal schemas of a tuple of words: TypeBox reads a union's members as a tuple. */
type LiteralsOf<T extends readonly string[]> = T extends readonly [
  infer H extends string,
  ...infer R extends readonly string[],
]
  ? [TLiteral<H>, ...LiteralsOf<R>]
  : [];

/** Default per editor mode: DEFAULT_FORMAT (vocabulary.ts). */
export const Format = literalUnion(FORMATS);
export type Format = Static<typeof Format>;

/**
 * Aggregations of the visual builder. `rate` and `increase` treat the column as a
 * monotonic counter that may reset (a drop counts from zero, like Prometheus).
 * `percentile` reads `MetricSpec.percentile` (0–100). `none` returns raw rows.
 */
export const Aggregation = literalUnion(AGGREGATIONS);
export type Aggregation = Static<typeof Aggregation>;

/** How empty buckets are shown: left out, NULL, 0, the previous value (locf) or interpolated. */
export const FillMode = literalUnion(FILL_MODES);
export type FillMode = Static<typeof FillMode>;

export const FilterOp = literalUnion(FILTER_OPERATORS);
export type FilterOp = Static<typeof FilterOp>;

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const Filter = Type.Object({
  column: Type.String(),
  op: FilterOp,
  /** A scalar, or an array for IN / NOT IN; ignored for IS NULL / IS NOT NULL. Always sent as a bound parameter. */
  value: Type.Optional(Type.Union([Scalar, Type.Array(Scalar)])),
});
export type Filter = Static<typeof Filter>;

export const MetricSpec = Type.Object({
  column: Type.String(),
  aggregation: Aggregation,
  /** 0–100, for aggregation "percentile". */
  percentile: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  /** Field name in the frame; defaults to "<aggregation>(<column>)" or the column for "none". */
  alias: Type.Optional(Type.String({ maxLength: 128 })),
});
export type MetricSpec = Static<typeof MetricSpec>;

export const OrderBy = Type.Object({
  column: Type.String(),
  direction: Type.Union([Type.Literal('asc'), Type.Literal('desc')]),
});
export type OrderBy = Static<typeof OrderBy>;

/** Grafana's ad hoc filter as the dashboard holds it; applied by the gateway as bound filters. */
export const AdHocFilter = Type.Object({
  key: Type.String(),
  /** One of ADHOC_OPERATORS; others are refused by name (invalid_adhoc_filter), so the wire type stays a string. */
  operator: Type.String({ description: `Grafana operator: ${ADHOC_OPERATORS.join(', ')}` }),
  value: Type.String(),
});
export type AdHocFilter = Static<typeof AdHocFilter>;

const QueryBase = {
  refId: Type.String({ minLength: 1, maxLength: 64 }),
  format: Type.Optional(Format),
  hide: Type.Optional(Type.Boolean()),
  adhocFilters: Type.Optional(Type.Array(AdHocFilter)),
  /**
   * Run even when the planner's estimate is above the gateway's cost guard (QUERY_MAX_COST,
   * QUERY_MAX_ROWS_SCANNED). Only admin tokens and tokens configured with allowExpensive may set it (else 403).
   */
  allowExpensive: Type.Optional(
    Type.Boolean({
      description: 'Bypass the cost guard; only admin tokens and tokens configured with allowExpensive may (else 403)',
    })
  ),
};

export const BuilderQuery = Type.Object({
  ...QueryBase,
  mode: Type.Literal('builder'),
  table: Type.String(),
  /** Defaults to the table's time column from the catalog. */
  timeColumn: Type.Optional(Type.String()),
  metrics: Type.Array(MetricSpec),
  /** Columns whose values become series labels (one series per combination). */
  groupBy: Type.Optional(Type.Array(Type.String())),
  filters: Type.Optional(Type.Array(Filter)),
  /**
   * "auto" (default) or an interval: "500ms", "10s", "5m", "1h", "1d", "1w", "1M", "1y", or a PostgreSQL interval literal like "15 minutes".
   * In the table format, leaving it out aggregates over the whole range (no time buckets).
   */
  bucket: Type.Optional(Type.String()),
  fill: Type.Optional(FillMode),
  orderBy: Type.Optional(Type.Array(OrderBy)),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Opt out of the maxDataPoints cap for this query. */
  noPointCap: Type.Optional(Type.Boolean()),
  /**
   * Continuous-aggregate routing (TimescaleDB): by default a bucketed query is answered from a
   * continuous aggregate of the table when that gives exactly the raw answer; false always reads the table.
   */
  continuousAggregates: Type.Optional(Type.Boolean()),
});
export type BuilderQuery = Static<typeof BuilderQuery>;

export const SqlQuery = Type.Object({
  ...QueryBase,
  mode: Type.Literal('sql'),
  /** One statement; Grafana macros ($__timeFilter …) are expanded by the gateway. */
  rawSql: Type.String(),
});
export type SqlQuery = Static<typeof SqlQuery>;

export const GatewayQuery = Type.Union([BuilderQuery, SqlQuery]);
export type GatewayQuery = Static<typeof GatewayQuery>;

export const TimeRange = Type.Object({
  /** ISO-8601 or epoch milliseconds as a string. */
  from: Type.String(),
  to: Type.String(),
});
export type TimeRange = Static<typeof TimeRange>;

/** `POST /api/v1/query`, shaped like Grafana's own `/api/ds/query`. */
export const QueryRequest = Type.Object({
  range: TimeRange,
  intervalMs: Type.Optional(Type.Number({ minimum: 0 })),
  maxDataPoints: Type.Optional(Type.Integer({ minimum: 1 })),
  /** IANA zone used for day/week/month buckets, e.g. "Europe/Berlin"; default UTC. */
  timezone: Type.Optional(Type.String()),
  queries: Type.Array(GatewayQuery, { minItems: 1 }),
});
export type QueryRequest = Static<typeof QueryRequest>;

/**
 * Type of a frame field, as Grafana's data frames name them. Not the catalog's ColumnKind
 * (catalog.ts), on purpose: a column kind says how the gateway coerces values and which pickers
 * offer a column — `json` columns are kept apart there — while a field type is what Grafana
 * draws, where JSON is `other`, like any type Grafana has no field type for
 * (result-fields.ts maps one onto the other).
 */
export const FieldType = Type.Union([
  Type.Literal('time'),
  Type.Literal('number'),
  Type.Literal('string'),
  Type.Literal('boolean'),
  Type.Literal('other'),
]);
export type FieldType = Static<typeof FieldType>;

/** A notice in a frame's `meta.notices` (Grafana's QueryResultMetaNotice), shown above the panel. */
export interface FrameNotice {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

/** Grafana's DataFrameJSON (columnar; time values are epoch milliseconds). */
export const DataFrameJSON = Type.Object({
  schema: Type.Object({
    name: Type.Optional(Type.String()),
    refId: Type.Optional(Type.String()),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    fields: Type.Array(
      Type.Object({
        name: Type.String(),
        type: FieldType,
        labels: Type.Optional(Type.Record(Type.String(), Type.String())),
        config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      })
    ),
  }),
  data: Type.Object({ values: Type.Array(Type.Array(Type.Unknown())) }),
});
export type DataFrameJSON = Static<typeof DataFrameJSON>;

export const QueryResult = Type.Object({
  frames: Type.Array(DataFrameJSON),
  error: Type.Optional(Type.String()),
  /** Machine code of the error: one of the catalogue's, as in ErrorBody.error. */
  errorCode: Type.Optional(ErrorCode),
  status: Type.Optional(Type.Integer()),
  executedQueryString: Type.Optional(Type.String()),
});
export type QueryResult = Static<typeof QueryResult>;

export const QueryResponse = Type.Object({ results: Type.Record(Type.String(), QueryResult) });
export type QueryResponse = Static<typeof QueryResponse>;

/**
 * `POST /api/v1/query/render`: one builder query with the request's shared fields, rendered
 * without running it. What the builder's SQL preview and "switch to SQL" show.
 */
export const RenderRequest = Type.Object({
  range: TimeRange,
  intervalMs: Type.Optional(Type.Number({ minimum: 0 })),
  maxDataPoints: Type.Optional(Type.Integer({ minimum: 1 })),
  timezone: Type.Optional(Type.String()),
  query: BuilderQuery,
});
export type RenderRequest = Static<typeof RenderRequest>;

export const RenderResponse = Type.Object({
  /** The statement the builder runs, with placeholders ($1 …). */
  sql: Type.String(),
  /** The bound values, in placeholder order. */
  params: Type.Array(Type.Unknown()),
  /**
   * The same query as SQL-mode text: the dashboard range and an auto bucket written as Grafana
   * macros ($__timeFilter, $__timeBucket, $__interval_pg …), every other value a quoted literal.
   * Run in SQL mode with the same request it returns the same frames.
   */
  sqlModeText: Type.String(),
});
export type RenderResponse = Static<typeof RenderResponse>;

import type { DataQuery } from '@grafana/schema';
import type {
  Aggregation as WireAggregation,
  BuilderQuery,
  FillMode as WireFillMode,
  FilterOp as WireFilterOp,
  Format as WireFormat,
  SqlQuery,
} from 'timescaledb-gateway/contract';

/** Which editor wrote the query. */
export enum EditorMode {
  Builder = 'builder',
  SQL = 'sql',
}

export enum QueryFormat {
  TimeSeries = 'time_series',
  Table = 'table',
}

export enum AggregationType {
  Avg = 'avg',
  Min = 'min',
  Max = 'max',
  Sum = 'sum',
  Count = 'count',
  First = 'first',
  Last = 'last',
  Median = 'median',
  Percentile = 'percentile',
  Rate = 'rate',
  Increase = 'increase',
  None = 'none',
}

export enum FillMode {
  None = 'none',
  Null = 'null',
  Zero = 'zero',
  Previous = 'previous',
  Linear = 'linear',
}

export enum FilterOperator {
  Equals = '=',
  NotEquals = '!=',
  LessThan = '<',
  LessThanOrEqual = '<=',
  GreaterThan = '>',
  GreaterThanOrEqual = '>=',
  In = 'IN',
  NotIn = 'NOT IN',
  Like = 'LIKE',
  ILike = 'ILIKE',
  IsNull = 'IS NULL',
  IsNotNull = 'IS NOT NULL',
}

/** The builder's fields exactly as the wire contract names them (refId and the rest come from DataQuery). */
export type BuilderFields = Omit<BuilderQuery, 'refId' | 'hide' | 'mode' | 'format' | 'adhocFilters'>;

export interface TsBuilderQuery extends DataQuery, BuilderFields {
  mode: EditorMode.Builder;
  format?: QueryFormat;
}

export interface TsSqlQuery extends DataQuery, Omit<SqlQuery, 'refId' | 'hide' | 'mode' | 'format' | 'adhocFilters'> {
  mode: EditorMode.SQL;
  format?: QueryFormat;
  /** The builder state the SQL came from, so switching back can offer it again. */
  builder?: BuilderFields;
  /** The SQL the gateway rendered from `builder`: while rawSql is still this, going back loses nothing. */
  builderSql?: string;
}

/** The query model Grafana stores in dashboards: a discriminated union on `mode`. */
export type TsQuery = TsBuilderQuery | TsSqlQuery;

export const isBuilderQuery = (query: TsQuery): query is TsBuilderQuery => query.mode === EditorMode.Builder;
export const isSqlQuery = (query: TsQuery): query is TsSqlQuery => query.mode === EditorMode.SQL;

export const defaultBuilderFields: BuilderFields = {
  table: '',
  metrics: [{ column: '', aggregation: AggregationType.Avg }],
  groupBy: [],
  filters: [],
  bucket: 'auto',
  fill: FillMode.None,
};

export const defaultBuilderQuery: Omit<TsBuilderQuery, 'refId'> = {
  mode: EditorMode.Builder,
  format: QueryFormat.TimeSeries,
  ...defaultBuilderFields,
};

export const defaultSqlQuery: Omit<TsSqlQuery, 'refId'> = {
  mode: EditorMode.SQL,
  format: QueryFormat.Table,
  rawSql: '',
};

/** New panels start in the builder. */
export const defaultQuery = defaultBuilderQuery;

// Compile-time guards: the enums must list exactly the contract's literals, in both directions.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const enumsMatchContract: [
  Same<`${AggregationType}`, WireAggregation>,
  Same<`${FillMode}`, WireFillMode>,
  Same<`${FilterOperator}`, WireFilterOp>,
  Same<`${QueryFormat}`, WireFormat>,
] = [true, true, true, true];
void enumsMatchContract;

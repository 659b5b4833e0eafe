import type { DataQuery } from '@grafana/schema';
import type { BuilderQuery, Format, SqlQuery } from 'timescaledb-gateway/contract';
import { DEFAULT_FORMAT, type EditorMode } from 'timescaledb-gateway/contract/vocabulary';

/** The vocabulary is the contract's (gateway/src/contract/vocabulary.ts): literal types, no enums. */
export type { Aggregation, FillMode, FilterOp, Format } from 'timescaledb-gateway/contract';
export type { EditorMode };

/** The builder's fields exactly as the wire contract names them (refId and the rest come from DataQuery). */
export type BuilderFields = Omit<BuilderQuery, 'refId' | 'hide' | 'mode' | 'format' | 'adhocFilters'>;

/** Set on any query: the panel keeps receiving new rows while the range ends at now (data/live/). */
export interface LiveOption {
  live?: boolean;
}

export interface TsBuilderQuery extends DataQuery, BuilderFields, LiveOption {
  mode: 'builder';
  format?: Format;
}

export interface TsSqlQuery
  extends DataQuery, LiveOption, Omit<SqlQuery, 'refId' | 'hide' | 'mode' | 'format' | 'adhocFilters'> {
  mode: 'sql';
  format?: Format;
  /** The builder state the SQL came from, so switching back can offer it again. */
  builder?: BuilderFields;
  /** The SQL the gateway rendered from `builder`: while rawSql is still this, going back loses nothing. */
  builderSql?: string;
}

/** The query model Grafana stores in dashboards: a discriminated union on `mode`. */
export type TsQuery = TsBuilderQuery | TsSqlQuery;

export const isBuilderQuery = (query: TsQuery): query is TsBuilderQuery => query.mode === 'builder';
export const isSqlQuery = (query: TsQuery): query is TsSqlQuery => query.mode === 'sql';

export const defaultBuilderFields: BuilderFields = {
  table: '',
  metrics: [{ column: '', aggregation: 'avg' }],
  groupBy: [],
  filters: [],
  bucket: 'auto',
  fill: 'none',
};

export const defaultBuilderQuery: Omit<TsBuilderQuery, 'refId'> = {
  mode: 'builder',
  format: DEFAULT_FORMAT.builder,
  ...defaultBuilderFields,
};

export const defaultSqlQuery: Omit<TsSqlQuery, 'refId'> = {
  mode: 'sql',
  format: DEFAULT_FORMAT.sql,
  rawSql: '',
};

/** New panels start in the builder. */
export const defaultQuery = defaultBuilderQuery;

import type { DataQuery } from '@grafana/schema';

export enum VariableQueryMode {
  /** A SQL statement; `__text` / `__value` columns give text/value pairs. */
  SQL = 'sql',
  /** Distinct values of one column, from the gateway's values endpoint. */
  Values = 'values',
}

export interface SqlVariableQuery extends DataQuery {
  mode: VariableQueryMode.SQL;
  rawSql: string;
}

export interface ValuesVariableQuery extends DataQuery {
  mode: VariableQueryMode.Values;
  table: string;
  column: string;
  /** Only values containing this text (the endpoint's `q`). */
  search?: string;
  limit?: number;
}

export type TsVariableQuery = SqlVariableQuery | ValuesVariableQuery;

export const defaultVariableQuery: SqlVariableQuery = { refId: 'variable', mode: VariableQueryMode.SQL, rawSql: '' };

import { defaultBuilderFields, EditorMode, QueryFormat, type TsQuery } from 'types/query';
import { VariableQueryMode, type TsVariableQuery } from 'types/variables';

type StoredQuery = Partial<TsQuery> & { refId: string; rawSql?: unknown; rawQuery?: unknown; format?: unknown };

const toFormat = (format: unknown, fallback: QueryFormat): QueryFormat =>
  format === QueryFormat.Table || format === QueryFormat.TimeSeries ? format : fallback;

/**
 * Brings any stored query to the current model: queries saved without a mode (or
 * copied from Grafana's PostgreSQL data source, which stores `rawSql`) become SQL
 * queries, and builder queries get the lists the editors expect.
 */
export const migrateQuery = (query: StoredQuery): TsQuery => {
  if (query.mode === EditorMode.Builder) {
    return { ...defaultBuilderFields, ...query, mode: EditorMode.Builder, format: toFormat(query.format, QueryFormat.TimeSeries) } as TsQuery;
  }
  if (query.mode === EditorMode.SQL || typeof query.rawSql === 'string') {
    return {
      ...query,
      mode: EditorMode.SQL,
      rawSql: typeof query.rawSql === 'string' ? query.rawSql : '',
      format: toFormat(query.format, QueryFormat.Table),
    } as TsQuery;
  }
  return { ...defaultBuilderFields, ...query, mode: EditorMode.Builder, format: toFormat(query.format, QueryFormat.TimeSeries) } as TsQuery;
};

/** Variables provisioned as a plain SQL string (the usual way for SQL sources) keep working. */
export const migrateVariableQuery = (query: string | Partial<TsVariableQuery> | undefined): TsVariableQuery => {
  if (typeof query === 'string') {
    return { refId: 'variable', mode: VariableQueryMode.SQL, rawSql: query };
  }
  if (query?.mode === VariableQueryMode.Values) {
    return { refId: 'variable', ...query, table: query.table ?? '', column: query.column ?? '' } as TsVariableQuery;
  }
  const rawSql = (query as { rawSql?: unknown; query?: unknown } | undefined)?.rawSql ?? (query as { query?: unknown } | undefined)?.query;
  return { refId: 'variable', ...query, mode: VariableQueryMode.SQL, rawSql: typeof rawSql === 'string' ? rawSql : '' } as TsVariableQuery;
};

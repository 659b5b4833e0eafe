import { DEFAULT_FORMAT, FORMATS } from 'timescaledb-gateway/contract/vocabulary';
import { defaultBuilderFields, type Format, type TsQuery } from 'types/query';
import { VariableQueryMode, type TsVariableQuery } from 'types/variables';

type StoredQuery = Partial<TsQuery> & { refId: string; rawSql?: unknown; rawQuery?: unknown; format?: unknown };

const toFormat = (format: unknown, fallback: Format): Format =>
  (FORMATS as readonly unknown[]).includes(format) ? (format as Format) : fallback;

/**
 * Brings any stored query to the current model: queries saved without a mode (or
 * copied from Grafana's PostgreSQL data source, which stores `rawSql`) become SQL
 * queries, and builder queries get the lists the editors expect.
 */
export const migrateQuery = (query: StoredQuery): TsQuery => {
  if (query.mode === 'builder') {
    return {
      ...defaultBuilderFields,
      ...query,
      mode: 'builder',
      format: toFormat(query.format, DEFAULT_FORMAT.builder),
    } as TsQuery;
  }
  if (query.mode === 'sql' || typeof query.rawSql === 'string') {
    return {
      ...query,
      mode: 'sql',
      rawSql: typeof query.rawSql === 'string' ? query.rawSql : '',
      format: toFormat(query.format, DEFAULT_FORMAT.sql),
    } as TsQuery;
  }
  return {
    ...defaultBuilderFields,
    ...query,
    mode: 'builder',
    format: toFormat(query.format, DEFAULT_FORMAT.builder),
  } as TsQuery;
};

/** Variables provisioned as a plain SQL string (the usual way for SQL sources) keep working. */
export const migrateVariableQuery = (query: string | Partial<TsVariableQuery> | undefined): TsVariableQuery => {
  if (typeof query === 'string') {
    return { refId: 'variable', mode: VariableQueryMode.SQL, rawSql: query };
  }
  if (query?.mode === VariableQueryMode.Values) {
    return { refId: 'variable', ...query, table: query.table ?? '', column: query.column ?? '' } as TsVariableQuery;
  }
  const rawSql =
    (query as { rawSql?: unknown; query?: unknown } | undefined)?.rawSql ??
    (query as { query?: unknown } | undefined)?.query;
  return {
    refId: 'variable',
    ...query,
    mode: VariableQueryMode.SQL,
    rawSql: typeof rawSql === 'string' ? rawSql : '',
  } as TsVariableQuery;
};

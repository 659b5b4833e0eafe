import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

/** The part of a variable model that decides quoting; absent for Grafana's built-ins ($__interval …). */
type QuotingVariable = Partial<Pick<Extract<TypedVariableModel, { type: 'query' }>, 'multi' | 'includeAll'>>;

/** A PostgreSQL string literal: single quotes around, embedded single quotes doubled. */
export const quoteLiteral = (value: unknown): string => `'${String(value).replace(/'/g, "''")}'`;

/**
 * Template variable formatting for SQL text, the same as Grafana's PostgreSQL data source:
 * a single-value variable is inserted with its quotes doubled but without surrounding
 * quotes (dashboards write `'$var'`); multi-value and "All" variables become a quoted,
 * comma-separated list for `IN ($var)`; numbers stay numbers.
 */
export const formatSqlVariable = (value: string | string[] | number, variable?: QuotingVariable): string | number => {
  if (typeof value === 'string') {
    return variable?.multi || variable?.includeAll ? quoteLiteral(value) : value.replace(/'/g, "''");
  }
  if (typeof value === 'number') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map(quoteLiteral).join(',');
  }
  return value;
};

/** Interpolates `$var`, `${var}`, `${var:csv}` … in SQL text; explicit formats win over the SQL quoting. */
export const interpolateSql = (templateSrv: TemplateSrv, sql: string, scopedVars?: ScopedVars): string =>
  templateSrv.replace(sql, scopedVars, formatSqlVariable);

/**
 * Interpolates a builder value that the gateway will send as a bound parameter, so it
 * needs no SQL quoting. A text that is exactly one multi-value variable expands to the
 * list of its values (for IN / NOT IN).
 */
export const interpolateBoundValue = (
  templateSrv: TemplateSrv,
  value: string,
  scopedVars?: ScopedVars
): string | string[] => {
  if (!templateSrv.containsTemplate(value)) {
    return value;
  }
  let values: string[] | undefined;
  const replaced = templateSrv.replace(value, scopedVars, (v: string | string[]) => {
    values = Array.isArray(v) ? v.map(String) : [String(v)];
    return values.join(',');
  });
  const isSingleVariable = values !== undefined && replaced === values.join(',');
  return isSingleVariable && values!.length !== 1 ? values! : replaced;
};

const SEARCH_FILTER = '__searchFilter';

/**
 * `$__searchFilter` in a SQL variable query, as Grafana's SQL data sources offer it
 * (getSearchFilterScopedVar in Grafana's variables utils): what the user typed in the
 * variable's picker followed by `%`, or `%` alone; only when the query mentions it. The
 * SQL quoting doubles quotes inside, so a query writes `LIKE '$__searchFilter'`.
 */
export const searchFilterScopedVars = (sql: string, searchFilter?: string): ScopedVars =>
  sql.includes(SEARCH_FILTER) ? { [SEARCH_FILTER]: { text: '', value: searchFilter ? `${searchFilter}%` : '%' } } : {};

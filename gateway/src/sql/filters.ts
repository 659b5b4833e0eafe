import { ApiError } from '../errors';
import type { AdHocFilter, Filter, FilterOp } from '../contract/query';
import { ADHOC_OPERATORS } from '../contract/vocabulary';
import { type BuilderTable, type Params, col, findColumn } from './builder-context';
import { quoteIdent } from '../pg/quote';

/**
 * Builder filters and Grafana ad hoc filters as SQL conditions. Columns come from the catalog;
 * every value is a bound parameter whose type PostgreSQL infers from the column it meets.
 */

const COMPARISON: Partial<Record<FilterOp, string>> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

function badValue(filter: { column: string; op: string }, why: string): ApiError {
  return new ApiError('invalid_filter', `Filter on ${JSON.stringify(filter.column)} (${filter.op}): ${why}`, {
    column: filter.column,
    op: filter.op,
  });
}

function scalar(filter: Filter): string | number | boolean {
  const v = filter.value;
  if (v === undefined || v === null) {
    throw badValue(filter, 'needs a value (use IS NULL / IS NOT NULL for nulls)');
  }
  if (Array.isArray(v)) {
    throw badValue(filter, 'takes a single value, not a list');
  }
  return v;
}

/** One condition on an already-quoted column expression. */
export function conditionSql(target: string, filter: Filter, params: Params): string {
  const cmp = COMPARISON[filter.op];
  if (cmp) {
    return `${target} ${cmp} ${params.add(scalar(filter))}`;
  }
  switch (filter.op) {
    case 'IN':
    case 'NOT IN': {
      const list = filter.value;
      if (!Array.isArray(list)) {
        throw badValue(filter, 'needs a list of values');
      }
      if (list.some((x) => x === null)) {
        throw badValue(filter, 'a list cannot hold null (use IS NULL)');
      }
      if (list.length === 0) {
        return filter.op === 'IN' ? 'FALSE' : 'TRUE';
      }
      const p = params.add(list.map((x) => String(x)));
      return filter.op === 'IN' ? `${target} = ANY(${p})` : `${target} <> ALL(${p})`;
    }
    case 'LIKE':
    case 'ILIKE': {
      const v = scalar(filter);
      return `${target}::text ${filter.op} ${params.add(String(v), 'text')}`;
    }
    case 'IS NULL':
      return `${target} IS NULL`;
    case 'IS NOT NULL':
      return `${target} IS NOT NULL`;
    /* c8 ignore next 2 */
    default:
      throw badValue(filter, 'unknown operator');
  }
}

export function builderFilters(table: BuilderTable, filters: readonly Filter[] | undefined, params: Params): string[] {
  return (filters ?? []).map((f) => conditionSql(col(findColumn(table, f.column, 'filter')), f, params));
}

const ADHOC_OPS: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };

/** A Grafana ad hoc filter on an already-quoted target; regex operators use PostgreSQL's `~`. */
export function adhocConditionSql(target: string, f: AdHocFilter, params: Params): string {
  const op = ADHOC_OPS[f.operator];
  if (op) {
    return `${target} ${op} ${params.add(f.value)}`;
  }
  if (f.operator === '=~') {
    return `${target}::text ~ ${params.add(f.value, 'text')}`;
  }
  if (f.operator === '!~') {
    return `${target}::text !~ ${params.add(f.value, 'text')}`;
  }
  throw new ApiError(
    'invalid_adhoc_filter',
    `Ad hoc filter operator ${JSON.stringify(f.operator)} is not supported (use ${ADHOC_OPERATORS.join(', ')})`,
    {
      key: f.key,
      operator: f.operator,
    }
  );
}

/**
 * A dashboard's ad hoc filters reach every query of the data source, whatever its table: a
 * builder query applies those whose key is a column of its own table and ignores the rest.
 */
export function builderAdhocFilters(
  table: BuilderTable,
  filters: readonly AdHocFilter[] | undefined,
  params: Params
): string[] {
  return (filters ?? [])
    .filter((f) => table.columns.some((c) => c.name === f.key))
    .map((f) => adhocConditionSql(col(findColumn(table, f.key, 'ad hoc filter')), f, params));
}

/**
 * `$__adHocFilters` in SQL mode: the filters as conditions joined by AND on the columns
 * they name (quoted identifiers; a key the statement's tables lack fails in the database,
 * named), values bound; `TRUE` when there are none. SQL without the macro is not filtered.
 */
export function adhocFiltersSql(filters: readonly AdHocFilter[] | undefined, params: Params): string {
  if (!filters?.length) {
    return 'TRUE';
  }
  return `(${filters.map((f) => adhocConditionSql(quoteIdent(f.key), f, params)).join(' AND ')})`;
}

import { ApiError } from '../errors';
import { unknownColumn } from '../catalog/unknown-column';
import type { ResolvedColumn, ResolvedTable } from '../catalog/catalog';
import { bucketSql } from '../sql/bucket-sql';
import { Params, timeKindOf } from '../sql/builder-context';
import { parseBucketInterval, type BucketInterval } from '../time/interval';
import { CoercionError, coerceValue, NUL_REASON } from './coerce-value';
import { instantMs } from './instant';

/** Query parameters with a meaning of their own; every other key is a column filter. */
export const RESERVED_PARAMS = new Set(['from', 'to', 'columns', 'order', 'limit', 'offset', 'bucket', 'agg']);

const OPERATORS: Record<string, string> = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };
const AGGREGATES = new Set(['avg', 'min', 'max', 'sum', 'count']);
const MAX_IN_VALUES = 1000;

export interface ReadOptions {
  defaultLimit: number;
  maxLimit: number;
  /** time_bucket when TimescaleDB is there, date_bin otherwise. */
  timescale: boolean;
}

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

type Query = Record<string, string | string[] | undefined>;

/**
 * `GET /timescaledb/data/:table` parameters → one SELECT. Identifiers come from the
 * catalog (quoted), operators from a fixed table, values are bound parameters: no
 * request text ever becomes SQL text.
 */
export function buildReadQuery(table: ResolvedTable, query: Query, options: ReadOptions): BuiltQuery {
  const params = new Params();
  const bind = (value: unknown) => params.add(value);
  const column = (name: string) => findColumn(table, name);

  const where: string[] = [];
  for (const [key, raw] of Object.entries(query)) {
    if (RESERVED_PARAMS.has(key) || raw === undefined) {
      continue;
    }
    const col = column(key);
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      where.push(filterSql(col, value, bind));
    }
  }

  const from = single(query, 'from');
  const to = single(query, 'to');
  if (from !== undefined || to !== undefined) {
    const timeCol = requireTimeColumn(table);
    const fromValue = from === undefined ? undefined : timeParam(timeCol, 'from', from);
    const toValue = to === undefined ? undefined : timeParam(timeCol, 'to', to);
    if (fromValue !== undefined && toValue !== undefined) {
      checkRange(from!, fromValue, to!, toValue);
    }
    if (fromValue !== undefined) {
      where.push(`${timeCol.ident} >= ${bind(fromValue)}`);
    }
    if (toValue !== undefined) {
      where.push(`${timeCol.ident} <= ${bind(toValue)}`);
    }
  }

  const requested = listParam(single(query, 'columns'))?.map(column);
  const limit = intParam(query, 'limit', options.defaultLimit, 0, Number.MAX_SAFE_INTEGER);
  const offset = intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const bucket = single(query, 'bucket');
  const agg = single(query, 'agg');

  let select: string;
  let groupBy = '';
  let orderDefault: string;
  if (bucket !== undefined || agg !== undefined) {
    const timeCol = requireTimeColumn(table);
    if (bucket === undefined || bucket === '') {
      throw new ApiError('invalid_bucket', '"agg" needs "bucket", e.g. bucket=1h&agg=avg');
    }
    const fn = (agg ?? 'avg').toLowerCase();
    if (!AGGREGATES.has(fn)) {
      throw new ApiError('invalid_aggregation', `Unknown aggregate "${agg}" (use ${[...AGGREGATES].join(', ')})`, {
        agg,
      });
    }
    const timeKind = timeKindOf(timeCol);
    if (!timeKind) {
      throw new ApiError(
        'invalid_bucket',
        `"bucket" needs a timestamp or date time column; "${timeCol.name}" is ${timeCol.type}`,
        { column: timeCol.name }
      );
    }
    // The query engine's buckets: same widths, origins and SQL on TimescaleDB and plain PostgreSQL.
    const bucketExpr = bucketSql({
      dialect: options.timescale ? 'timescaledb' : 'postgres',
      bucket: bucketParam(bucket),
      column: timeCol.ident,
      timeZone: 'UTC',
      timeKind,
    });
    // Numeric columns are aggregated; the other requested ones become groups (one row per bucket and group).
    const cols = (requested ?? table.columns.filter((c) => c.kind === 'number')).filter((c) => c.name !== timeCol.name);
    const measures = cols.filter((c) => c.kind === 'number');
    const groups = cols.filter((c) => c.kind !== 'number');
    if (measures.length === 0) {
      throw new ApiError(
        'invalid_aggregation',
        `"agg" needs at least one numeric column to aggregate in table "${table.name}"`,
        { table: table.name }
      );
    }
    select = [
      `${bucketExpr} AS ${timeCol.ident}`,
      ...groups.map((g) => g.ident),
      ...measures.map((m) => `${fn}(${m.ident}) AS ${m.ident}`),
    ].join(', ');
    groupBy = ` GROUP BY ${Array.from({ length: groups.length + 1 }, (_, i) => i + 1).join(', ')}`;
    orderDefault = '1';
  } else {
    select = requested ? requested.map((c) => c.ident).join(', ') : '*';
    orderDefault = table.timeColumn ? `${column(table.timeColumn).ident} DESC` : '';
  }

  const order = orderSql(table, single(query, 'order')) ?? orderDefault;
  const orderClause = order ? ` ORDER BY ${order}` : '';
  const capped = Math.min(limit, options.maxLimit);
  const sql = `SELECT ${select} FROM ${table.ident}${whereSql}${groupBy}${orderClause} LIMIT ${bind(capped)} OFFSET ${bind(offset)}`;
  return { sql, params: params.values };
}

function filterSql(col: ResolvedColumn, text: string, bind: (v: unknown) => string): string {
  if (text.includes('\0')) {
    throw new ApiError('invalid_value', `Filter on "${col.name}": ${NUL_REASON}`, {
      param: col.name,
      column: col.name,
    });
  }
  const dot = text.indexOf('.');
  const op = dot < 0 ? text : text.slice(0, dot);
  const value = dot < 0 ? '' : text.slice(dot + 1);
  if (dot < 0 || !(op in OPERATORS || op === 'in' || op === 'like' || op === 'is')) {
    throw new ApiError(
      'invalid_operator',
      `Filter on "${col.name}" must look like <op>.<value> with op one of eq, neq, lt, lte, gt, gte, in, like, is; got "${text}"`,
      { column: col.name, filter: text }
    );
  }
  if (op === 'is') {
    const v = value.toLowerCase();
    if (v === 'null') {
      return `${col.ident} IS NULL`;
    }
    if (v === 'notnull' || v === 'not.null') {
      return `${col.ident} IS NOT NULL`;
    }
    if (v === 'true' || v === 'false') {
      return `${col.ident} IS ${v.toUpperCase()}`;
    }
    throw new ApiError(
      'invalid_value',
      `"is" takes null, notnull, true or false; got "${value}" for column "${col.name}"`,
      { column: col.name }
    );
  }
  if (op === 'like') {
    return `${col.ident}::text LIKE ${bind(value.replace(/\*/g, '%'))}`;
  }
  if (op === 'in') {
    const list = value.replace(/^\((.*)\)$/s, '$1');
    const items = list === '' ? [] : list.split(',');
    if (items.length === 0) {
      throw new ApiError('invalid_value', `"in" needs at least one value for column "${col.name}"`, {
        column: col.name,
      });
    }
    if (items.length > MAX_IN_VALUES) {
      throw new ApiError('invalid_value', `"in" takes at most ${MAX_IN_VALUES} values`, { column: col.name });
    }
    return `${col.ident} IN (${items.map((item) => bind(filterValue(col, item))).join(', ')})`;
  }
  return `${col.ident} ${OPERATORS[op]} ${bind(filterValue(col, value))}`;
}

function filterValue(col: ResolvedColumn, text: string): unknown {
  try {
    const v = coerceValue(col, text, true);
    if (v === null) {
      throw new CoercionError('expected a value; use is.null to match NULL');
    }
    return v;
  } catch (err) {
    if (err instanceof CoercionError) {
      throw new ApiError('invalid_value', `Invalid value for column "${col.name}": ${err.message}`, {
        column: col.name,
        value: text,
      });
    }
    throw err;
  }
}

function timeParam(col: ResolvedColumn, param: string, text: string): unknown {
  try {
    const v = coerceValue({ ...col, kind: 'time' }, text, true);
    if (v === null) {
      throw new CoercionError('empty');
    }
    return v;
  } catch (err) {
    if (err instanceof CoercionError) {
      throw new ApiError('invalid_range', `"${param}" must be an ISO-8601 time or epoch milliseconds, got "${text}"`, {
        param,
        value: text,
      });
    }
    throw err;
  }
}

function orderSql(table: ResolvedTable, text: string | undefined): string | undefined {
  if (text === undefined || text === '') {
    return undefined;
  }
  return text
    .split(',')
    .map((part) => {
      const m = /^(.*?)(?:\.(asc|desc))?(?:\.(nullsfirst|nullslast))?$/i.exec(part.trim());
      const name = m?.[1] ?? '';
      const col = findColumn(table, name, 'order');
      const dir = m?.[2]?.toLowerCase() === 'desc' ? ' DESC' : ' ASC';
      const nulls = m?.[3] ? (m[3].toLowerCase() === 'nullsfirst' ? ' NULLS FIRST' : ' NULLS LAST') : '';
      return `${col.ident}${dir}${nulls}`;
    })
    .join(', ');
}

function findColumn(table: ResolvedTable, name: string, where?: string): ResolvedColumn {
  const col = table.columns.find((c) => c.name === name);
  if (!col) {
    throw unknownColumn(table.name, name, where ? { where: `in ${where}` } : {});
  }
  return col;
}

function requireTimeColumn(table: ResolvedTable): ResolvedColumn {
  if (!table.timeColumn) {
    throw new ApiError('no_time_column', `Table "${table.name}" has no time column, so from/to/bucket do not apply`, {
      table: table.name,
    });
  }
  return findColumn(table, table.timeColumn);
}

function single(query: Query, key: string): string | undefined {
  const v = query[key];
  if (Array.isArray(v)) {
    throw new ApiError('invalid_request', `"${key}" may be given only once`, { param: key });
  }
  return v;
}

function listParam(text: string | undefined): string[] | undefined {
  if (text === undefined) {
    return undefined;
  }
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new ApiError('invalid_request', '"columns" needs at least one column name', { param: 'columns' });
  }
  return list;
}

function intParam(query: Query, key: 'limit' | 'offset', fallback: number, min: number, max: number): number {
  const text = single(query, key);
  if (text === undefined || text === '') {
    return fallback;
  }
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ApiError(`invalid_${key}`, `"${key}" must be a whole number ≥ ${min}, got "${text}"`, {
      param: key,
      value: text,
    });
  }
  return Number(text);
}

/** `bucket` as the query engine reads bucket widths (10s, 5m, 1h, 1d, 1w, 1M, "15 minutes"); a 400 naming it otherwise. */
function bucketParam(text: string): BucketInterval {
  try {
    return parseBucketInterval(text, '"bucket"');
  } catch (err) {
    if (err instanceof ApiError) {
      throw new ApiError('invalid_bucket', err.message, { param: 'bucket', value: text });
    }
    throw err;
  }
}

/** from after to selects nothing, which is never what was meant: said as the query API says it. */
function checkRange(fromText: string, from: unknown, toText: string, to: unknown): void {
  const a = instantMs(from);
  const b = instantMs(to);
  if (a !== null && b !== null && a > b) {
    throw new ApiError('invalid_range', `"from" (${fromText}) is after "to" (${toText})`, {
      from: fromText,
      to: toText,
    });
  }
}

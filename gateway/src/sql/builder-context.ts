import { ApiError } from '../errors';
import type { ContinuousAggregate } from '../catalog/continuous-aggregates';
import type { ColumnKind } from '../contract/catalog';
import type { Dialect, TimeKind } from './bucket-sql';
import { quoteIdent, quoteLiteral } from './quote';
import type { TimeRangeMs } from './time-range';

/** What the builder needs to know about the table; the catalog provides it. */
export interface BuilderColumn {
  name: string;
  /** PostgreSQL type as format_type() prints it. */
  type: string;
  kind: ColumnKind;
  /** From the catalog; routing counts rows by a NOT NULL column's count(*). */
  nullable?: boolean;
}

export interface BuilderTable {
  /** Name as the client wrote it (for messages). */
  name: string;
  /** Quoted, schema-qualified identifier, ready for SQL. */
  sql: string;
  columns: BuilderColumn[];
  timeColumn: string | null;
}

export interface BuilderContext {
  dialect: Dialect;
  table: BuilderTable;
  range: TimeRangeMs;
  intervalMs: number;
  maxDataPoints: number;
  timeZone: string;
  /**
   * The most rows one result may hold (MAX_ROW_LIMIT). Every builder statement ends in
   * `LIMIT cap + 1`, so the database never hands over more than that; default DEFAULT_ROW_CAP.
   */
  maxRows?: number;
  /** Continuous aggregates of the table, for routing (sql/cagg-routing.ts); none = no routing. */
  continuousAggregates?: readonly ContinuousAggregate[];
  /**
   * The rows are remote (a foreign table, or a view over one): the aggregate must stay
   * shippable to the remote server. postgres_fdw ships no I/O cast, so series labels are
   * grouped on the column itself and turned into text after grouping (see sql/foreign-pushdown.ts).
   */
  shippable?: boolean;
}

/** Collects bound parameters; `add` returns the placeholder. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

export function findColumn(table: BuilderTable, name: string, role: string): BuilderColumn {
  const col = table.columns.find((c) => c.name === name);
  if (!col) {
    throw ApiError.badRequest('unknown_column', `Unknown column ${JSON.stringify(name)} (${role}) in table ${JSON.stringify(table.name)}`, {
      table: table.name,
      column: name,
    });
  }
  return col;
}

export function timeKindOf(col: BuilderColumn): TimeKind | null {
  const t = col.type.toLowerCase();
  if (t.startsWith('timestamp') && t.includes('with time zone') && !t.includes('without')) return 'timestamptz';
  if (t === 'timestamptz') return 'timestamptz';
  if (t.startsWith('timestamp')) return 'timestamp';
  if (t === 'date') return 'date';
  return null;
}

export function col(c: BuilderColumn): string {
  return quoteIdent(c.name);
}

/**
 * Renders SQL with its parameters inlined, for display only (`executedQueryString`); the
 * database always receives the placeholders and the values separately.
 */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) return m;
    const v = params[i];
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `ARRAY[${v.map((x) => (typeof x === 'number' ? String(x) : quoteLiteral(String(x)))).join(', ')}]`;
    return quoteLiteral(v instanceof Date ? v.toISOString() : String(v));
  });
}

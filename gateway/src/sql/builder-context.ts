import { ApiError } from '../errors';
import { unknownColumn } from '../catalog/unknown-column';
import type { ContinuousAggregate } from '../catalog/continuous-aggregates';
import type { ResolvedColumn, ResolvedTable } from '../catalog/catalog';
import { type BucketSqlOptions, type Dialect, type TimeKind, bucketSql, intervalSql } from './bucket-sql';
import type { BucketInterval } from '../time/interval';
import { quoteIdent, quoteLiteral } from '../pg/quote';
import { BoundParams } from './params';
import type { TimeRangeMs } from '../time/time-range';

/**
 * What the builder needs to know about a column: the catalog's column (catalog/catalog.ts),
 * of which tests and the continuous-aggregate routing build only these fields. `nullable`
 * is optional: routing counts rows by a NOT NULL column's count(*) when it is known.
 */
export type BuilderColumn = Pick<ResolvedColumn, 'name' | 'type' | 'kind'> & Partial<Pick<ResolvedColumn, 'nullable'>>;

/** What the builder needs to know about the table: the resolved catalog table's name and time column. */
export interface BuilderTable extends Pick<ResolvedTable, 'name' | 'timeColumn'> {
  /** Quoted, schema-qualified identifier, ready for SQL (the resolved table's `ident`). */
  sql: string;
  columns: BuilderColumn[];
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

/**
 * Collects bound parameters; `add` returns the placeholder. The builder also asks it for the
 * pieces that depend on the request (the dashboard range, the panel interval, the row cap), so
 * one builder writes both the statement that runs (here: bound values) and its SQL-mode text
 * (`SqlModeParams`: Grafana macros and quoted literals).
 */
export class Params extends BoundParams {
  /** `target` within the dashboard range, both ends included (like `$__timeFilter`). */
  timeFilter(target: string, range: TimeRangeMs, cast: string): string {
    return `${target} >= ${this.timeFrom(range, cast)} AND ${target} <= ${this.timeTo(range, cast)}`;
  }

  timeFrom(range: TimeRangeMs, cast: string): string {
    return this.add(new Date(range.from).toISOString(), cast);
  }

  timeTo(range: TimeRangeMs, cast: string): string {
    return this.add(new Date(range.to).toISOString(), cast);
  }

  /** A gap fill's exclusive finish: one microsecond past `to`, so a bucket starting exactly at `to` exists. */
  gapfillFinish(range: TimeRangeMs, cast: string): string {
    return this.add(new Date(range.to).toISOString().replace('Z', '001Z'), cast);
  }

  /** `time_bucket`/`date_bin` of a bucket; `panel` says it is the panel interval itself. */
  bucket(opts: BucketSqlOptions, _panel: boolean): string {
    return bucketSql(opts);
  }

  /** The bucket width as SQL (an interval). */
  bucketWidth(bucket: BucketInterval, _panel: boolean): string {
    return intervalSql(bucket);
  }

  /** Seconds in a fixed-width bucket, as SQL (a number). */
  bucketSeconds(bucket: BucketInterval, _panel: boolean): string {
    return String(bucket.ms / 1000);
  }

  /** ` LIMIT n`: the user's limit, or the row cap + 1 that only tells the runner the result is too large. */
  limit(rows: number, _rowCapOnly: boolean): string {
    return ` LIMIT ${this.add(rows, 'bigint')}`;
  }
}

export function findColumn(table: BuilderTable, name: string, role: string): BuilderColumn {
  const col = table.columns.find((c) => c.name === name);
  if (!col) {
    throw unknownColumn(table.name, name, { where: role });
  }
  return col;
}

export function timeKindOf(col: BuilderColumn): TimeKind | null {
  const t = col.type.toLowerCase();
  if (t.startsWith('timestamp') && t.includes('with time zone') && !t.includes('without')) {
    return 'timestamptz';
  }
  if (t === 'timestamptz') {
    return 'timestamptz';
  }
  if (t.startsWith('timestamp')) {
    return 'timestamp';
  }
  if (t === 'date') {
    return 'date';
  }
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
    if (i < 0 || i >= params.length) {
      return m;
    }
    const v = params[i];
    if (v === null || v === undefined) {
      return 'NULL';
    }
    if (typeof v === 'number' || typeof v === 'boolean') {
      return String(v);
    }
    if (Array.isArray(v)) {
      return `ARRAY[${v.map((x) => (typeof x === 'number' ? String(x) : quoteLiteral(String(x)))).join(', ')}]`;
    }
    return quoteLiteral(v instanceof Date ? v.toISOString() : String(v));
  });
}

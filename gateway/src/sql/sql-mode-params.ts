import { type BucketSqlOptions, bucketSql } from './bucket-sql';
import { Params } from './builder-context';
import type { BucketInterval } from '../time/interval';
import { quoteLiteral } from '../pg/quote';
import type { TimeRangeMs } from '../time/time-range';

/**
 * The builder's values written for SQL mode instead of bound: what depends on the dashboard
 * becomes a Grafana macro (`$__timeFilter`, `$__timeFrom()`, `$__timeBucket`, `$__interval_pg`,
 * `$__interval_ms`), so the text keeps following the range and the panel interval; every other
 * value becomes a quoted literal. The macros expand to what the bound values are for the same
 * request, so the text, run in SQL mode, answers what the builder answers.
 *
 * A value without a cast is written as an untyped literal (`'5'`, `'{"a","b"}'`), which
 * PostgreSQL types from the column it meets — as it types a bound parameter.
 */
export class SqlModeParams extends Params {
  override add(value: unknown, cast?: string): string {
    if (cast) {
      return `${typeof value === 'number' && Number.isFinite(value) ? String(value) : quoteLiteral(textOf(value))}::${cast}`;
    }
    return value === null || value === undefined ? 'NULL' : quoteLiteral(textOf(value));
  }

  override timeFilter(target: string, _range: TimeRangeMs, _cast: string): string {
    // BETWEEN with untyped literals: they take the target's type, as the bound casts do.
    return `$__timeFilter(${target})`;
  }

  override timeFrom(_range: TimeRangeMs, cast: string): string {
    return `$__timeFrom()::${cast}`;
  }

  override timeTo(_range: TimeRangeMs, cast: string): string {
    return `$__timeTo()::${cast}`;
  }

  override gapfillFinish(_range: TimeRangeMs, cast: string): string {
    return `($__timeTo()::${cast} + interval '1 microsecond')`;
  }

  override bucket(opts: BucketSqlOptions, panel: boolean): string {
    // `$__timeBucket(col)` also picks the time zone for the interval it finds at run time.
    if (panel && (opts.timeKind ?? 'timestamptz') === 'timestamptz') {
      return `$__timeBucket(${opts.column})`;
    }
    return bucketSql(opts);
  }

  override bucketWidth(bucket: BucketInterval, panel: boolean): string {
    return panel ? '$__interval_pg' : super.bucketWidth(bucket, panel);
  }

  override bucketSeconds(bucket: BucketInterval, panel: boolean): string {
    return panel ? '($__interval_ms / 1000.0)' : super.bucketSeconds(bucket, panel);
  }

  override limit(rows: number, rowCapOnly: boolean): string {
    // SQL mode holds every statement to the row cap itself.
    return rowCapOnly ? '' : ` LIMIT ${rows}`;
  }
}

/** The text a bound value is sent as: arrays in PostgreSQL's array syntax, the rest as strings. */
function textOf(value: unknown): string {
  if (Array.isArray(value)) {
    return `{${value.map(arrayElement).join(',')}}`;
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  return String(value);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) {
    return 'NULL';
  }
  return `"${String(value).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

import { type BucketInterval, pgIntervalText } from '../time/interval';
import { quoteLiteral } from '../pg/quote';
import { isUtc } from '../time/time-range';

/**
 * SQL for bucketing a time column, on TimescaleDB (`time_bucket`) and on plain PostgreSQL
 * (`date_bin`, or month arithmetic since date_bin has no months). Both give the same buckets:
 * TimescaleDB's default origins are used on both (2000-01-03 for fixed widths, so weeks start on
 * Monday; 2000-01-01 for months), and day-or-longer buckets follow the request's time zone.
 */

export type Dialect = 'timescaledb' | 'postgres';

/** The SQL type of the time expression, which decides how a time zone is applied. */
export type TimeKind = 'timestamptz' | 'timestamp' | 'date';

export interface BucketSqlOptions {
  dialect: Dialect;
  bucket: BucketInterval;
  /** SQL of the time expression (a quoted column, or the user's expression in SQL mode). */
  column: string;
  timeZone: string;
  timeKind?: TimeKind;
  /** SQL of the width when it is not the bucket's own literal (`$__interval_pg` in SQL-mode text). */
  width?: string;
}

/** Whether the bucket is computed in local time (day-or-longer widths, a non-UTC zone, a zoned column). */
export function usesTimeZone(bucket: BucketInterval, timeZone: string, timeKind: TimeKind = 'timestamptz'): boolean {
  return timeKind === 'timestamptz' && !isUtc(timeZone) && (bucket.months > 0 || bucket.ms >= 86_400_000);
}

export function intervalSql(bucket: BucketInterval): string {
  return `${quoteLiteral(pgIntervalText(bucket))}::interval`;
}

export function bucketSql(opts: BucketSqlOptions): string {
  const kind = opts.timeKind ?? 'timestamptz';
  const col = kind === 'date' ? `(${opts.column})::timestamp` : opts.column;
  const zoned = usesTimeZone(opts.bucket, opts.timeZone, kind);
  const tz = quoteLiteral(opts.timeZone);
  const width = opts.width ?? intervalSql(opts.bucket);
  if (opts.dialect === 'timescaledb') {
    return zoned ? `time_bucket(${width}, ${col}, ${tz})` : `time_bucket(${width}, ${col})`;
  }
  // Plain PostgreSQL: compute on wall-clock time (local when zoned), then convert back.
  if (opts.bucket.months > 0) {
    // date_bin has no months: count whole months since the origin 2000-01-01, floor to N.
    const wallZone = kind === 'timestamptz' ? (zoned ? tz : `'UTC'`) : null;
    const wall = wallZone ? `(${col} AT TIME ZONE ${wallZone})` : col;
    const n = opts.bucket.months;
    const monthsSinceOrigin = `((extract(year from ${wall})::int - 2000) * 12 + extract(month from ${wall})::int - 1)`;
    const start = `(TIMESTAMP '2000-01-01 00:00:00' + make_interval(months => (floor(${monthsSinceOrigin}::numeric / ${n}) * ${n})::int))`;
    return wallZone ? `(${start} AT TIME ZONE ${wallZone})` : start;
  }
  if (zoned) {
    return `(date_bin(${width}, (${col} AT TIME ZONE ${tz}), TIMESTAMP '2000-01-03 00:00:00') AT TIME ZONE ${tz})`;
  }
  const origin = kind === 'timestamptz' ? `TIMESTAMPTZ '2000-01-03 00:00:00+00'` : `TIMESTAMP '2000-01-03 00:00:00'`;
  return `date_bin(${width}, ${col}, ${origin})`;
}

/**
 * TimescaleDB's `time_bucket_gapfill` over [start, finish). `start`/`finish` are SQL expressions
 * (bound parameters in the builder, literals in SQL mode).
 */
export function gapfillBucketSql(opts: BucketSqlOptions & { start: string; finish: string }): string {
  const kind = opts.timeKind ?? 'timestamptz';
  const col = kind === 'date' ? `(${opts.column})::timestamp` : opts.column;
  const width = opts.width ?? intervalSql(opts.bucket);
  if (usesTimeZone(opts.bucket, opts.timeZone, kind)) {
    return `time_bucket_gapfill(${width}, ${col}, ${quoteLiteral(opts.timeZone)}, ${opts.start}, ${opts.finish})`;
  }
  return `time_bucket_gapfill(${width}, ${col}, ${opts.start}, ${opts.finish})`;
}

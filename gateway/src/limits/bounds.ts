import { ApiError } from '../errors';
import type { BuilderQuery } from '../contract/query';
import { type BucketInterval, formatBucket } from '../time/interval';

/**
 * Bounds on the size of a query's work and result, checked before the work is done or the
 * arrays are built. Both database drivers hold a whole result in memory before returning it,
 * and shaping a result (long → wide, gap fill) can multiply its size, so each step that can
 * grow is measured first and refused with a clear error instead of exhausting the process.
 */

/** Row cap used when a caller gives none (the default of MAX_ROW_LIMIT). */
export const DEFAULT_ROW_CAP = 100_000;

/**
 * A wide frame may hold this many cells (times × series) per row of the row cap: enough for
 * raw series whose times do not line up (mostly empty cells), small enough to stay a few
 * hundred megabytes at most.
 */
export const WIDE_CELLS_PER_ROW = 100;

/**
 * More intervals than this in the dashboard range can only be a mistake (`1us` for `1m`):
 * no panel shows them, and no result may hold them. Such an interval is refused by name.
 */
export const MAX_INTERVALS_PER_RANGE = 1e10;

/** Largest panel interval accepted (1000 years, the widest bucket the gateway parses). */
export const MAX_PANEL_INTERVAL_MS = 1000 * 365.25 * 86_400_000;

/** Shape limits of one builder query: beyond them the SQL would hit the database's own limits. */
export const BUILDER_SHAPE_LIMITS = { metrics: 100, groupBy: 32, filters: 256, orderBy: 64 } as const;

/** Queries one request may hold. */
export const MAX_QUERIES_PER_REQUEST = 100;

/** 422 `result_too_large`: the request is valid, but its answer would be larger than the gateway serves. */
export function resultTooLarge(message: string, details?: Record<string, unknown>): ApiError {
  return new ApiError('result_too_large', message, details);
}

/** The row cap from config, or the default: at least 1. */
export function rowCapOf(maxRows: number | undefined): number {
  return maxRows !== undefined && maxRows >= 1 ? Math.floor(maxRows) : DEFAULT_ROW_CAP;
}

/** Cells a wide frame may hold for a given row cap. */
export function maxWideCells(rowCap: number): number {
  return rowCap * WIDE_CELLS_PER_ROW;
}

/** Refuses builder queries with more metrics, groups, filters or sort keys than SQL can carry sensibly. */
export function checkBuilderShape(q: BuilderQuery): void {
  const counts: Array<[keyof typeof BUILDER_SHAPE_LIMITS, number]> = [
    ['metrics', q.metrics.length],
    ['groupBy', q.groupBy?.length ?? 0],
    ['filters', (q.filters?.length ?? 0) + (q.adhocFilters?.length ?? 0)],
    ['orderBy', q.orderBy?.length ?? 0],
  ];
  for (const [field, count] of counts) {
    const max = BUILDER_SHAPE_LIMITS[field];
    if (count > max) {
      const what = field === 'filters' ? 'filters (with ad hoc filters)' : field;
      throw new ApiError('invalid_query', `Query ${q.refId} has ${count} ${what}; at most ${max} are allowed`, {
        refId: q.refId,
        field,
        count,
        max,
      });
    }
  }
}

/**
 * A gap-filled series has one row per bucket whether or not there is data, so more buckets than
 * the row cap can never be answered: refused before the database generates them.
 */
export function checkGapfillBuckets(buckets: number, bucket: BucketInterval, rowCap: number, what: string): void {
  if (buckets > rowCap) {
    throw resultTooLarge(
      `${what} ${formatBucket(bucket)} fills the range with ${buckets} buckets per series, more than the row limit ${rowCap}; use a wider bucket, a shorter range or no fill`,
      { buckets, bucket: formatBucket(bucket), maxRows: rowCap }
    );
  }
}

/** The panel interval (`intervalMs`) must be a finite duration a bucket can have. */
export function checkPanelInterval(intervalMs: number | undefined): void {
  if (intervalMs === undefined) {
    return;
  }
  if (!Number.isFinite(intervalMs) || intervalMs < 0 || intervalMs > MAX_PANEL_INTERVAL_MS) {
    throw new ApiError(
      'invalid_interval',
      `intervalMs ${intervalMs} is not a usable interval: use milliseconds from 0 to ${MAX_PANEL_INTERVAL_MS}`,
      {
        field: 'intervalMs',
        value: String(intervalMs),
      }
    );
  }
}

/**
 * Size of the wide frame a long result turns into: one row per distinct time, one field per
 * value column and label combination. Throws 422 before any of it is built when too large.
 */
export function checkWideCells(times: number, fields: number, maxCells: number): void {
  const cells = times * fields;
  if (cells > maxCells) {
    throw resultTooLarge(
      `One series per label would need ${times} times × ${fields} fields = ${cells} values, more than ${maxCells}; aggregate into time buckets, group by fewer columns or use the table format`,
      { times, fields, cells, maxCells }
    );
  }
}

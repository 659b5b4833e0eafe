import type { DataFrameJSON, GatewayQuery } from '../contract/query';
import type { StreamRequest } from '../contract/stream';
import { DEFAULT_MAX_DATA_POINTS } from '../query/query-context';
import { rowCapOf } from '../limits/bounds';
import { capBucket } from '../sql/bucket-count';
import { approxIntervalMs, formatBucket, parseBucketInterval, smallestNiceBucketAtLeast } from '../time/interval';
import { parseTimeRange, validateTimeZone } from '../time/time-range';

/** Re-runs look back this many buckets, so rows that arrive late still reach the panel. */
export const LOOKBACK_STEPS = 3;
/** …and at least this long, for raw rows and fine buckets. */
const MIN_LOOKBACK_MS = 2000;

/**
 * What a live query is, independent of when it runs: the sliding window's width, and the query
 * pinned so that a re-run over a short tail gives the same buckets as the panel's full window
 * (an `auto` bucket would otherwise shrink with the range).
 */
export interface LiveSpec {
  query: GatewayQuery;
  windowMs: number;
  intervalMs: number;
  maxDataPoints: number;
  timezone: string;
  /** One bucket (or the panel interval for raw rows and SQL mode): the unit of the lookback. */
  stepMs: number;
  /** The answer is not per time (a table-format aggregate over the range): re-run whole. */
  wholeWindow: boolean;
}

export function liveSpecOf(req: StreamRequest, q: GatewayQuery, maxRows: number): LiveSpec {
  const range = parseTimeRange(req.range);
  const windowMs = Math.max(1, range.to - range.from);
  const maxDataPoints = req.maxDataPoints ?? DEFAULT_MAX_DATA_POINTS;
  const intervalMs =
    req.intervalMs && req.intervalMs > 0 ? req.intervalMs : Math.max(1, Math.round(windowMs / maxDataPoints));
  const timezone = validateTimeZone(req.timezone);
  const base = { windowMs, intervalMs, maxDataPoints, timezone };
  const { refId: _refId, hide: _hide, ...rest } = q;
  const query = { ...rest, refId: 'live' } as GatewayQuery;
  if (query.mode === 'sql') {
    return { ...base, query, stepMs: intervalMs, wholeWindow: false };
  }
  const raw = query.metrics.length > 0 && query.metrics.every((m) => m.aggregation === 'none');
  if (raw) {
    return { ...base, query, stepMs: intervalMs, wholeWindow: false };
  }
  if (query.format === 'table' && query.bucket === undefined) {
    return { ...base, query, stepMs: intervalMs, wholeWindow: true };
  }
  // The width the panel's own query got over the full window: auto, or explicit and widened.
  const budget = Math.max(1, Math.min(maxDataPoints, rowCapOf(maxRows)));
  const text = query.bucket ?? 'auto';
  const asked =
    text === 'auto'
      ? smallestNiceBucketAtLeast(Math.max(intervalMs, windowMs / budget, 1))
      : parseBucketInterval(text, 'bucket');
  const bucket = query.noPointCap ? asked : capBucket(asked, range, timezone, budget);
  return {
    ...base,
    query: { ...query, bucket: formatBucket(bucket) },
    stepMs: approxIntervalMs(bucket),
    wholeWindow: false,
  };
}

/**
 * Where a re-run at `now` starts: a few buckets back, and never after the bucket holding the
 * previous run's end (rows written since then may carry any time after it).
 */
export function tailStart(spec: LiveSpec, now: number, since: number): number {
  const lookback = Math.max(MIN_LOOKBACK_MS, LOOKBACK_STEPS * spec.stepMs);
  return Math.max(now - spec.windowMs, Math.min(now - lookback, since - spec.stepMs));
}

/**
 * Keeps the rows whose time is at or after `from`. A bucket that starts before `from` was
 * computed over part of its rows only: the client keeps its earlier, whole value instead.
 */
export function trimFrames(frames: DataFrameJSON[], from: number): DataFrameJSON[] {
  return frames.map((frame) => {
    const timeIndex = frame.schema.fields.findIndex((f) => f.type === 'time');
    if (timeIndex < 0) {
      return frame;
    }
    const times = frame.data.values[timeIndex] as Array<number | null>;
    const keep: number[] = [];
    for (let i = 0; i < times.length; i++) {
      if (times[i] === null || (times[i] as number) >= from) {
        keep.push(i);
      }
    }
    if (keep.length === times.length) {
      return frame;
    }
    return { ...frame, data: { values: frame.data.values.map((column) => keep.map((i) => column[i])) } };
  });
}

/** Two requests for the same live query share one re-run: the same text for the same query. */
export function liveKeyOf(spec: LiveSpec): string {
  return canonicalJson({
    q: spec.query,
    w: spec.windowMs,
    i: spec.intervalMs,
    p: spec.maxDataPoints,
    z: spec.timezone,
  });
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

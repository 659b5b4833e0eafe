import { type BucketInterval, approxIntervalMs, niceBuckets } from './interval';
import { usesTimeZone, type TimeKind } from './bucket-sql';
import type { TimeRangeMs } from './time-range';

/**
 * How many buckets a range spans, with the same origins as the SQL (2000-01-03 for fixed
 * widths, 2000-01-01 for months, wall-clock time when the bucket is zoned). Used to keep a
 * series within maxDataPoints before the query runs.
 */

const FIXED_ORIGIN = Date.UTC(2000, 0, 3);
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time of `t` in `zone`, expressed as if it were UTC. */
export function wallClockMs(t: number, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall + (((t % 1000) + 1000) % 1000);
}

export function bucketCount(bucket: BucketInterval, range: TimeRangeMs, zone: string, kind: TimeKind = 'timestamptz'): number {
  const zoned = usesTimeZone(bucket, zone, kind);
  const from = zoned ? wallClockMs(range.from, zone) : range.from;
  const to = zoned ? wallClockMs(range.to, zone) : range.to;
  if (bucket.months > 0) {
    const index = (t: number) => {
      const d = new Date(t);
      return Math.floor(((d.getUTCFullYear() - 2000) * 12 + d.getUTCMonth()) / bucket.months);
    };
    return index(to) - index(from) + 1;
  }
  return Math.floor((to - FIXED_ORIGIN) / bucket.ms) - Math.floor((from - FIXED_ORIGIN) / bucket.ms) + 1;
}

/** The first bucket, from `start` upwards through the nice widths, that keeps the count within `max`. */
export function capBucket(start: BucketInterval, range: TimeRangeMs, zone: string, max: number, kind?: TimeKind): BucketInterval {
  if (bucketCount(start, range, zone, kind) <= max) {
    return start;
  }
  const startLen = approxIntervalMs(start);
  for (const b of niceBuckets()) {
    if (approxIntervalMs(b) > startLen && bucketCount(b, range, zone, kind) <= max) {
      return b;
    }
  }
  /* c8 ignore next */
  return start;
}

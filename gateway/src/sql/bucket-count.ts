import { type BucketInterval, approxIntervalMs, niceBuckets } from '../time/interval';
import { usesTimeZone, type TimeKind } from './bucket-sql';
import type { TimeRangeMs } from '../time/time-range';

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
      era: 'short',
    });
    formatters.set(zone, f);
  }
  const parts: Record<string, number> = {};
  let era = 'AD';
  for (const p of f.formatToParts(new Date(t))) {
    if (p.type === 'era') {
      era = p.value;
    } else if (p.type !== 'literal') {
      parts[p.type] = Number(p.value);
    }
  }
  // Years before 1 AD come as "1 BC", "2 BC"… (astronomical 0, -1…); years below 100 must not
  // go through Date.UTC, which reads them as 19xx.
  const wall = new Date(Date.UTC(2000, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second));
  wall.setUTCFullYear(era === 'BC' ? 1 - parts.year : parts.year);
  return wall.getTime() + (((t % 1000) + 1000) % 1000);
}

export function bucketCount(
  bucket: BucketInterval,
  range: TimeRangeMs,
  zone: string,
  kind: TimeKind = 'timestamptz'
): number {
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

/**
 * The first bucket, from `start` upwards through the nice widths, that keeps the count within
 * `max`. A range that crosses a bucket boundary always has two buckets, so with a tiny `max`
 * the widest nice bucket may be all there is: it is returned then (three points at most).
 */
export function capBucket(
  start: BucketInterval,
  range: TimeRangeMs,
  zone: string,
  max: number,
  kind?: TimeKind
): BucketInterval {
  if (bucketCount(start, range, zone, kind) <= max) {
    return start;
  }
  const startLen = approxIntervalMs(start);
  let widest = start;
  for (const b of niceBuckets()) {
    if (approxIntervalMs(b) > startLen) {
      if (bucketCount(b, range, zone, kind) <= max) {
        return b;
      }
      widest = b;
    }
  }
  return widest;
}

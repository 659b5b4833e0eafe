import { ApiError } from '../errors';
import type { BucketPgUnit } from '../contract/vocabulary';

/**
 * Durations and bucket widths. Two flavours exist because two kinds of callers exist:
 *  - Grafana's macros (`$__timeGroup`, `$__interval`) use Go's duration grammar and Grafana's
 *    calendar shortcuts (`1d`, `1w`, `1M`, `1y` measured from "now"), and format back to
 *    Grafana's short form. Reproduced exactly so expansions match Grafana's own.
 *  - Bucket widths of the builder and of `$__timeBucket*` are real calendar intervals: a month
 *    bucket is a calendar month, never "30 days", so they are kept as months + milliseconds.
 */

const MS_PER_UNIT: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const GO_SEGMENT = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** Go's `time.ParseDuration`, in milliseconds (fractional below 1 ms). Returns null when invalid. */
export function parseGoDuration(input: string): number | null {
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') {
    return 0;
  }
  if (s === '') {
    return null;
  }
  let total = 0;
  while (s.length > 0) {
    const m = GO_SEGMENT.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) {
      return null;
    }
    const value = Number(`${m[1] || '0'}.${m[2] || '0'}`);
    total += value * MS_PER_UNIT[m[3]];
    s = s.slice(m[0].length);
  }
  return sign * total;
}

const DATE_UNIT = /^(\d+)([dwMy])$/;

/**
 * Grafana's `gtime.ParseInterval`: Go durations, plus `Nd`, `Nw`, `NM`, `Ny` measured as the
 * real length of that calendar span starting now (UTC), in milliseconds. Null when invalid.
 */
export function parseGrafanaInterval(input: string, now: Date = new Date()): number | null {
  const m = DATE_UNIT.exec(input);
  if (!m) {
    return parseGoDuration(input);
  }
  const n = Number(m[1]);
  const t = now.getTime();
  const shifted = new Date(t);
  switch (m[2]) {
    case 'd':
      shifted.setUTCDate(shifted.getUTCDate() + n);
      break;
    case 'w':
      shifted.setUTCDate(shifted.getUTCDate() + 7 * n);
      break;
    case 'M':
      shifted.setUTCMonth(shifted.getUTCMonth() + n);
      break;
    case 'y':
      shifted.setUTCFullYear(shifted.getUTCFullYear() + n);
      break;
  }
  return shifted.getTime() - t;
}

/** Grafana's `gtime.FormatInterval`: the largest whole unit, truncated (`90s` → `1m`). */
export function formatGrafanaInterval(ms: number): string {
  const units: Array<[number, string]> = [
    [365 * 86_400_000, 'y'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  for (const [size, suffix] of units) {
    if (ms >= size) {
      return `${Math.floor(ms / size)}${suffix}`;
    }
  }
  return '1ms';
}

/** Go's `time.Duration.Seconds()` for a millisecond duration (whole seconds + nanosecond remainder). */
export function durationSeconds(ms: number): number {
  const whole = Math.trunc(ms / 1000);
  const nanos = Math.round((ms - whole * 1000) * 1e6);
  return whole + nanos / 1e9;
}

/**
 * Go's `%v` for a float64 (`%g` with the shortest digits): exponent form when the decimal
 * exponent is < -4 or >= 6, e.g. `300`, `0.02`, `604800`, `1.0368e+06`.
 */
export function formatGoFloat(x: number): string {
  if (!Number.isFinite(x)) {
    return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  }
  if (x === 0) {
    return Object.is(x, -0) ? '-0' : '0';
  }
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  // Plain decimal notation; JS's toString already gives the shortest digits in this range.
  return String(x);
}

/** A bucket width: calendar months plus a fixed number of milliseconds (never both). */
export interface BucketInterval {
  months: number;
  ms: number;
}

/** Every unit of the contract's bucket grammar (BUCKET_PG_UNITS), and what it measures. */
const PG_UNITS: Record<BucketPgUnit, { months?: number; ms?: number }> = {
  microsecond: { ms: 1e-3 },
  microseconds: { ms: 1e-3 },
  millisecond: { ms: 1 },
  milliseconds: { ms: 1 },
  second: { ms: 1000 },
  seconds: { ms: 1000 },
  minute: { ms: 60_000 },
  minutes: { ms: 60_000 },
  hour: { ms: 3_600_000 },
  hours: { ms: 3_600_000 },
  day: { ms: 86_400_000 },
  days: { ms: 86_400_000 },
  week: { ms: 7 * 86_400_000 },
  weeks: { ms: 7 * 86_400_000 },
  month: { months: 1 },
  months: { months: 1 },
  mon: { months: 1 },
  mons: { months: 1 },
  year: { months: 12 },
  years: { months: 12 },
};

const SHORT_CALENDAR = /^(\d+)\s*(d|w|M|y)$/;
const PG_STYLE = /^(\d+(?:\.\d+)?)\s+([a-zA-Z]+)$/;

/**
 * Parses a bucket width: Grafana short form (`500ms`, `10s`, `5m`, `1h`, `1d`, `1w`, `1M`, `1y`,
 * Go compounds like `1m30s`) or a simple PostgreSQL interval (`15 minutes`, `1 month`).
 * Throws a 400 naming the input when it is not a positive interval.
 */
export function parseBucketInterval(input: string, what = 'interval'): BucketInterval {
  const text = input
    .trim()
    .replace(/^'(.*)'$/, '$1')
    .trim();
  const bad = () =>
    new ApiError(
      'invalid_interval',
      `Invalid ${what} ${JSON.stringify(input)}: use e.g. 500ms, 10s, 5m, 1h, 1d, 1w, 1M, 1y or "15 minutes"`,
      {
        interval: input,
      }
    );
  let result: BucketInterval | null = null;
  const cal = SHORT_CALENDAR.exec(text);
  if (cal) {
    const n = Number(cal[1]);
    if (cal[2] === 'M') {
      result = { months: n, ms: 0 };
    } else if (cal[2] === 'y') {
      result = { months: 12 * n, ms: 0 };
    } else {
      result = { months: 0, ms: n * (cal[2] === 'd' ? 86_400_000 : 7 * 86_400_000) };
    }
  } else {
    const pg = PG_STYLE.exec(text);
    if (pg) {
      const unit = PG_UNITS[pg[2].toLowerCase() as BucketPgUnit];
      const n = Number(pg[1]);
      if (!unit) {
        throw bad();
      }
      if (unit.months !== undefined) {
        if (!Number.isInteger(n)) {
          throw bad();
        }
        result = { months: unit.months * n, ms: 0 };
      } else {
        result = { months: 0, ms: n * unit.ms! };
      }
    } else {
      const ms = parseGoDuration(text);
      result = ms === null ? null : { months: 0, ms };
    }
  }
  if (!result || !(result.months > 0 || result.ms > 0) || result.months < 0 || result.ms < 0) {
    throw bad();
  }
  if (result.ms > 0 && result.ms < 1e-3) {
    throw new ApiError(
      'invalid_interval',
      `Invalid ${what} ${JSON.stringify(input)}: the smallest bucket is 1 microsecond`,
      {
        interval: input,
      }
    );
  }
  if (result.months > 12_000 || result.ms > 1000 * 365.25 * 86_400_000) {
    throw bad();
  }
  return result;
}

/** Average length, used only to compare bucket widths and count buckets roughly. */
export function approxIntervalMs(b: BucketInterval): number {
  return b.months > 0 ? b.months * 30.436875 * 86_400_000 : b.ms;
}

/** A PostgreSQL interval literal (without quotes): `500 milliseconds`, `1 month`, `86400 seconds`. */
export function pgIntervalText(b: BucketInterval): string {
  if (b.months > 0) {
    return b.months % 12 === 0 ? `${b.months / 12} years` : `${b.months} months`;
  }
  if (b.ms % 86_400_000 === 0) {
    return `${b.ms / 86_400_000} days`;
  }
  if (Number.isInteger(b.ms)) {
    return b.ms % 1000 === 0 ? `${b.ms / 1000} seconds` : `${b.ms} milliseconds`;
  }
  // Sub-millisecond: whole microseconds are what PostgreSQL can hold.
  return `${Math.round(b.ms * 1000)} microseconds`;
}

/** Short label for a bucket, for notices and frame metadata: `5m`, `1M`, `250ms`. */
export function formatBucket(b: BucketInterval): string {
  if (b.months > 0) {
    return b.months % 12 === 0 ? `${b.months / 12}y` : `${b.months}M`;
  }
  if (b.ms % 604_800_000 === 0) {
    return `${b.ms / 604_800_000}w`;
  }
  if (b.ms % 86_400_000 === 0) {
    return `${b.ms / 86_400_000}d`;
  }
  if (b.ms % 3_600_000 === 0) {
    return `${b.ms / 3_600_000}h`;
  }
  if (b.ms % 60_000 === 0) {
    return `${b.ms / 60_000}m`;
  }
  if (b.ms % 1000 === 0) {
    return `${b.ms / 1000}s`;
  }
  if (Number.isInteger(b.ms)) {
    return `${b.ms}ms`;
  }
  return `${Math.round(b.ms * 1000)}us`;
}

/** Nice fixed widths, ascending; after a week come calendar months and years. */
const NICE_MS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  1000,
  2000,
  5000,
  10_000,
  15_000,
  20_000,
  30_000,
  60_000,
  120_000,
  300_000,
  600_000,
  900_000,
  1_200_000,
  1_800_000,
  3_600_000,
  7_200_000,
  10_800_000,
  21_600_000,
  43_200_000,
  86_400_000,
  2 * 86_400_000,
  604_800_000,
];
const NICE_MONTHS = [1, 3, 6, 12];

/**
 * The widest nice bucket, in years, so stepping up always ends: the years 0001–9999 fit in
 * three such buckets, and the first one (counted from the origin 2000) still starts after
 * 4713 BC, the earliest timestamp PostgreSQL has.
 */
export const WIDEST_NICE_YEARS = 4096;

/** The nice bucket widths in ascending order, for stepping up when a width gives too many buckets. */
export function* niceBuckets(): Generator<BucketInterval> {
  for (const ms of NICE_MS) {
    yield { months: 0, ms };
  }
  for (const months of NICE_MONTHS) {
    yield { months, ms: 0 };
  }
  for (let years = 2; years <= WIDEST_NICE_YEARS; years *= 2) {
    yield { months: 12 * years, ms: 0 };
  }
}

/** The smallest nice width whose (average) length is at least `minMs`; the widest one beyond. */
export function smallestNiceBucketAtLeast(minMs: number): BucketInterval {
  let last: BucketInterval = { months: 0, ms: 1 };
  for (const b of niceBuckets()) {
    if (approxIntervalMs(b) >= minMs) {
      return b;
    }
    last = b;
  }
  return last;
}

import { ApiError } from '../errors';

/** The dashboard range in epoch milliseconds. */
export interface TimeRangeMs {
  from: number;
  to: number;
}

/**
 * The instants a range may span: years 0001 to 9999. Outside them the ISO-8601 text the SQL
 * carries needs a six-digit signed year, which PostgreSQL does not read.
 */
export const EARLIEST_INSTANT_MS = Date.parse('0001-01-01T00:00:00.000Z');
export const LATEST_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** Parses one end of the range: epoch milliseconds (digits) or an ISO-8601 timestamp. */
export function parseInstant(text: string, which: 'from' | 'to'): number {
  const trimmed = text.trim();
  const ms = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new ApiError(
      'invalid_range',
      `range.${which} is not a timestamp: ${JSON.stringify(text)} (use ISO-8601 or epoch milliseconds)`,
      {
        field: `range.${which}`,
        value: text,
      }
    );
  }
  if (ms < EARLIEST_INSTANT_MS || ms > LATEST_INSTANT_MS) {
    throw new ApiError('invalid_range', `range.${which} ${JSON.stringify(text)} is outside the years 0001 to 9999`, {
      field: `range.${which}`,
      value: text,
    });
  }
  return ms;
}

export function parseTimeRange(range: { from: string; to: string }): TimeRangeMs {
  const from = parseInstant(range.from, 'from');
  const to = parseInstant(range.to, 'to');
  if (from > to) {
    throw new ApiError('invalid_range', 'range.from is after range.to', { from: range.from, to: range.to });
  }
  return { from, to };
}

/** Go's `time.RFC3339Nano` in UTC: fractional seconds without trailing zeros (`…17Z`, `…00.5Z`). */
export function formatRfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  // toISOString always prints .sss; Go drops zeros at the end of the fraction, and the dot with them.
  return iso.replace(/\.(\d{3})Z$/, (_m, frac: string) => {
    const trimmed = frac.replace(/0+$/, '');
    return trimmed ? `.${trimmed}Z` : 'Z';
  });
}

/** Epoch seconds as Go's `Time.Unix()` (floored). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Epoch nanoseconds as Go's `Time.UnixNano()`, exact (BigInt text). */
export function unixNanos(ms: number): string {
  const whole = Math.floor(ms);
  const subMsNanos = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(subMsNanos)).toString();
}

/**
 * Zone names Intl has accepted. Building an Intl.DateTimeFormat to check a name costs about
 * 0.5 ms, once per panel query; a name checked before is not checked again.
 */
const knownZones = new Set<string>();

/** Checks an IANA time zone name; returns it unchanged (safe to embed: validated against Intl's list). */
export function validateTimeZone(tz: string | undefined): string {
  const zone = tz && tz.trim() !== '' ? tz.trim() : 'UTC';
  if (zone.toLowerCase() === 'browser') {
    throw new ApiError('invalid_timezone', 'timezone "browser" must be resolved to an IANA zone by the client', {
      timezone: tz,
    });
  }
  if (!/^[A-Za-z0-9_+\-/]+$/.test(zone)) {
    throw new ApiError('invalid_timezone', `Unknown time zone ${JSON.stringify(zone)}`, { timezone: tz });
  }
  if (!knownZones.has(zone)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      throw new ApiError('invalid_timezone', `Unknown time zone ${JSON.stringify(zone)}`, { timezone: tz });
    }
    // Only names Intl accepted get here, and there are a few hundred of them; the cap keeps
    // case variants ("europe/paris", "EUROPE/PARIS", …) from growing it without end.
    if (knownZones.size < 2000) {
      knownZones.add(zone);
    }
  }
  return zone === 'utc' || zone === 'Etc/UTC' ? 'UTC' : zone;
}

export function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT' || zone === 'Etc/GMT';
}

/**
 * Text → JavaScript conversions shared by both drivers, so a value reads the same
 * whichever database answers (see the rules in types.ts).
 */

/**
 * The PostgreSQL type OIDs the gateway treats specially: the drivers' parsers below and the
 * frame field types (frames/result-fields.ts) both key on this one table.
 */
export const OID = {
  BOOL: 16,
  BYTEA: 17,
  INT8: 20,
  INT2: 21,
  INT4: 23,
  TEXT: 25,
  JSON: 114,
  FLOAT4: 700,
  FLOAT8: 701,
  DATE: 1082,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
  NUMERIC: 1700,
  JSONB: 3802,
} as const;

/** int8: a number while it is a safe integer, else the exact digits as a string. */
export function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/**
 * numeric: a number when the decimal survives the trip through a double (at most 15
 * significant digits), else the exact text. NaN / Infinity stay strings.
 */
export function parseNumeric(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n)) {
    return text;
  }
  const digits = text.replace(/^[-+]/, '').replace('.', '').replace(/^0+/, '');
  // Trailing zeros cost no precision, in the fraction (1.50) or the integer part (1e20).
  return digits.replace(/0+$/, '').length <= 15 ? n : text;
}

/**
 * timestamptz: PostgreSQL prints the offset, so Date parses it unambiguously. Years before 1
 * ("0044-03-15 12:00:00+00 BC") and after 9999, which Date does not read, go through
 * `parsePgTimestamp`. Only ±infinity (and anything past Date's range) stays text.
 */
export function parseTimestamptz(text: string): Date | string {
  const utc = utcTimestamptzMs(text);
  if (utc !== undefined) {
    return new Date(utc);
  }
  const d = new Date(normaliseOffset(text.replace(' ', 'T')));
  if (!Number.isNaN(d.getTime())) {
    return d;
  }
  const ms = parsePgTimestamp(text);
  return ms === null ? text : new Date(ms);
}

/**
 * Epoch milliseconds of the text a UTC session prints for a timestamptz of years 0100–9999,
 * `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00`, read digit by digit; undefined for any other text, which
 * takes Date's own parser. The same milliseconds as that parser (the fraction cut to
 * milliseconds), at less than half its cost (1.3 instead of 3.05 ms for 7,200 values, the
 * Date objects included): this is every time value of every builder result.
 */
function utcTimestamptzMs(text: string): number | undefined {
  const length = text.length;
  if (length < 22 || length === 23 || length > 29 || text.charCodeAt(length - 3) !== 43 /* + */) {
    return undefined;
  }
  if (text.charCodeAt(length - 2) !== 48 || text.charCodeAt(length - 1) !== 48) {
    return undefined;
  }
  for (let i = 0; i < 19; i++) {
    const c = text.charCodeAt(i);
    if (ISO_SEPARATORS[i] ? c !== ISO_SEPARATORS[i] : c < 48 || c > 57) {
      return undefined;
    }
  }
  let ms = 0;
  if (length > 22) {
    if (text.charCodeAt(19) !== 46 /* . */) {
      return undefined;
    }
    for (let i = 20, scale = 100; i < length - 3; i++, scale /= 10) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) {
        return undefined;
      }
      if (scale >= 1) {
        ms += (c - 48) * scale;
      }
    }
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  // Date.UTC reads years 0–99 as 1900–1999; PostgreSQL never prints out-of-range fields, but
  // anything Date would not take as it stands goes the general way.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The character code at each position of `YYYY-MM-DD HH:MM:SS`, 0 where a digit goes. */
const ISO_SEPARATORS = [0, 0, 0, 0, 45, 0, 0, 45, 0, 0, 32, 0, 0, 58, 0, 0, 58, 0, 0];

function digits(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    n = n * 10 + text.charCodeAt(i) - 48;
  }
  return n;
}

/** timestamp without time zone is read as UTC, never as the server process's local time. */
export function parseTimestamp(text: string): Date | string {
  const d = new Date(text.replace(' ', 'T') + 'Z');
  if (!Number.isNaN(d.getTime())) {
    return d;
  }
  const ms = parsePgTimestamp(text);
  return ms === null ? text : new Date(ms);
}

// PostgreSQL's ISO output: any number of year digits, optional time and fraction, an offset of
// hours[:minutes[:seconds]] (historical zones have seconds), and " BC" last for years before 1.
const PG_TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?)?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/;

/**
 * Epoch milliseconds of a timestamp, timestamptz or date in PostgreSQL's ISO text form, for the
 * years Date's own parser does not read: before 1 AD (year N BC is the astronomical year
 * 1 - N) and after 9999. No offset means UTC. Fractions beyond milliseconds are cut, as Date
 * cuts them. Null for anything else (±infinity, other DateStyles) or outside Date's range.
 */
export function parsePgTimestamp(text: string): number | null {
  const m = PG_TIMESTAMP.exec(text);
  if (!m) {
    return null;
  }
  const [, year, month, day, hh = '0', mi = '0', ss = '0', fraction = '', sign, oh = '0', om = '0', os = '0', bc] = m;
  const astronomicalYear = bc ? 1 - Number(year) : Number(year);
  // Date.UTC maps years 0–99 to 1900–1999: set the year on its own.
  const d = new Date(
    Date.UTC(
      2000,
      Number(month) - 1,
      Number(day),
      Number(hh),
      Number(mi),
      Number(ss),
      Number(fraction.slice(0, 3).padEnd(3, '0'))
    )
  );
  d.setUTCFullYear(astronomicalYear);
  const offsetMs = ((Number(oh) * 60 + Number(om)) * 60 + Number(os)) * 1000 * (sign === '-' ? -1 : 1);
  const t = d.getTime() - offsetMs;
  return Number.isFinite(t) && Math.abs(t) <= MAX_DATE_MS ? t : null;
}

/** The largest epoch distance a Date holds (±275760 years). */
const MAX_DATE_MS = 8.64e15;

/** date stays the calendar date it is: 'YYYY-MM-DD'. */
export function parseDate(text: string): string {
  return text;
}

// "+05:30" parses everywhere, "+05" does not in every engine: complete it.
function normaliseOffset(text: string): string {
  return /[+-]\d\d$/.test(text) ? `${text}:00` : text;
}

/** The parsers both drivers install, by type OID. */
export const VALUE_PARSERS: Record<number, (text: string) => unknown> = {
  [OID.INT8]: parseInt8,
  [OID.NUMERIC]: parseNumeric,
  [OID.TIMESTAMPTZ]: parseTimestamptz,
  [OID.TIMESTAMP]: parseTimestamp,
  [OID.DATE]: parseDate,
};

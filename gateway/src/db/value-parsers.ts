/**
 * Text → JavaScript conversions shared by both drivers, so a value reads the same
 * whichever database answers (see the rules in types.ts).
 */

export const OID = {
  BOOL: 16,
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
  if (!Number.isFinite(n)) return text;
  const digits = text.replace(/^[-+]/, '').replace('.', '').replace(/^0+/, '');
  // Trailing zeros cost no precision, in the fraction (1.50) or the integer part (1e20).
  return digits.replace(/0+$/, '').length <= 15 ? n : text;
}

/** timestamptz: PostgreSQL prints the offset, so Date parses it unambiguously. */
export function parseTimestamptz(text: string): Date | string {
  const d = new Date(normaliseOffset(text.replace(' ', 'T')));
  return Number.isNaN(d.getTime()) ? text : d;
}

/** timestamp without time zone is read as UTC, never as the server process's local time. */
export function parseTimestamp(text: string): Date | string {
  const d = new Date(text.replace(' ', 'T') + 'Z');
  return Number.isNaN(d.getTime()) ? text : d;
}

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

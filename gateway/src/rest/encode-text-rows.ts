import type { DbTextResult } from '../db/types';
import { OID } from '../db/value-parsers';

/**
 * Rows in PostgreSQL's text form → the JSON a REST read answers with, without Dates or other
 * costly values in between (the hot path of large reads).
 *
 * Each column gets a converter chosen once per result: times become their ISO-8601 string
 * straight from the text, numbers a plain `+text`, other types the driver's own parser. So
 * every value serialises exactly as the one `Db.query()` returns (a Date and its ISO string
 * give the same JSON), and rows are built by assignment in field order like the driver's own
 * row objects: the body is byte for byte `JSON.stringify` of the `query()` rows, while the
 * serialisation itself stays in V8's native JSON.stringify.
 */

type Convert = (text: string) => unknown;

/** The rows as a JSON array of objects. */
export function encodeJsonArray(result: DbTextResult): string {
  return JSON.stringify(jsonReadyRows(result));
}

/** One JSON object per line, each line ended by a newline. */
export function encodeNdjson(result: DbTextResult): string {
  let out = '';
  for (const row of jsonReadyRows(result)) out += JSON.stringify(row) + '\n';
  return out;
}

/** The rows as the objects `Db.query()` would have returned (for encoders that need real values). */
export function toRowObjects(result: DbTextResult): Record<string, unknown>[] {
  return buildRows(result, result.parsers);
}

/** Row objects whose values give the same JSON as `Db.query()`'s, built cheaply. */
function jsonReadyRows(result: DbTextResult): Record<string, unknown>[] {
  return buildRows(
    result,
    result.fields.map((f, c) => jsonConverterFor(f.dataTypeID, result.parsers[c]))
  );
}

function buildRows({ fields, rows }: DbTextResult, converters: Convert[]): Record<string, unknown>[] {
  const names = fields.map((f) => f.name);
  const count = names.length;
  const out: Record<string, unknown>[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const values = rows[r];
    const row: Record<string, unknown> = {};
    for (let c = 0; c < count; c++) {
      const text = values[c];
      row[names[c]] = text === null ? null : converters[c](text);
    }
    out[r] = row;
  }
  return out;
}

const NUMBER_TYPES = new Set<number>([OID.INT2, OID.INT4, OID.FLOAT4, OID.FLOAT8]);

function jsonConverterFor(oid: number, parse: Convert): Convert {
  if (oid === OID.TIMESTAMPTZ) return (text) => (UTC_TIMESTAMPTZ.test(text) ? isoFromUtcText(text, 3) : parse(text));
  if (oid === OID.TIMESTAMP) return (text) => (PLAIN_TIMESTAMP.test(text) ? isoFromUtcText(text, 0) : parse(text));
  // The driver reads these with parseInt / parseFloat: the same number for PostgreSQL's text.
  if (NUMBER_TYPES.has(oid)) return (text) => +text;
  return parse;
}

// The ISO DateStyle output on a UTC session (the driver connects with TimeZone=UTC), years
// 0001–9999: anything else (BC, infinity, other DateStyles) takes the parser's path.
const UTC_TIMESTAMPTZ = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$/;
const PLAIN_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/;

/**
 * "2025-01-01 02:46:40.123456+00" → "2025-01-01T02:46:40.123Z": Date#toISOString's form
 * (milliseconds, the rest truncated as Date does). `offsetLength`: the "+00" to leave out.
 */
function isoFromUtcText(text: string, offsetLength: number): string {
  const ms = text.charCodeAt(19) === 46 /* . */ ? (text.slice(20, text.length - offsetLength) + '00').slice(0, 3) : '000';
  return text.slice(0, 10) + 'T' + text.slice(11, 19) + '.' + ms + 'Z';
}

import type { DbTextResult } from '../db/types';
import { OID } from '../pg/value-parsers';

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
  for (const row of jsonReadyRows(result)) {
    out += JSON.stringify(row) + '\n';
  }
  return out;
}

/** Rows encoded per piece of a streamed answer: ~100 kB of JSON for typical rows. */
export const ROWS_PER_PIECE = 1000;

/**
 * The same bytes as encodeJsonArray / encodeNdjson, a piece of rows at a time, for answers
 * too large to hold as one string next to their rows: each piece's rows are released once
 * encoded (the result's row arrays are emptied as they go), so a large read holds the
 * database's text rows plus one piece, not also every row object and the whole body.
 */
export function* encodePieces(
  result: DbTextResult,
  format: 'json' | 'ndjson',
  rowsPerPiece = ROWS_PER_PIECE
): Generator<string> {
  const converters = jsonConverters(result);
  const total = result.rows.length;
  if (format === 'json' && total === 0) {
    yield '[]';
  }
  for (let start = 0; start < total; start += rowsPerPiece) {
    const end = Math.min(total, start + rowsPerPiece);
    const rows = buildRows(result, converters, start, end);
    releaseRows(result, start, end);
    if (format === 'ndjson') {
      let out = '';
      for (const row of rows) {
        out += JSON.stringify(row) + '\n';
      }
      yield out;
    } else {
      const json = JSON.stringify(rows);
      // "[a,b]" → "[a,b" / ",c,d" / ",e]": the pieces concatenate to one array.
      yield (start === 0 ? '[' : ',') + json.slice(1, end === total ? json.length : -1);
    }
  }
}

/** Rows already encoded are not needed again: let them go while the rest is written. */
function releaseRows(result: DbTextResult, start: number, end: number): void {
  for (let r = start; r < end; r++) {
    (result.rows as unknown[])[r] = null;
  }
}

/** The rows as the objects `Db.query()` would have returned (for encoders that need real values). */
export function toRowObjects(
  result: DbTextResult,
  start = 0,
  end = result.rows.length
): Array<Record<string, unknown>> {
  return buildRows(result, result.parsers, start, end);
}

/** Row objects whose values give the same JSON as `Db.query()`'s, built cheaply. */
function jsonReadyRows(result: DbTextResult): Array<Record<string, unknown>> {
  return buildRows(result, jsonConverters(result), 0, result.rows.length);
}

const jsonConverters = (result: DbTextResult): Convert[] =>
  result.fields.map((f, c) => jsonConverterFor(f.dataTypeID, result.parsers[c]));

function buildRows(
  { fields, rows }: DbTextResult,
  converters: Convert[],
  start: number,
  end: number
): Array<Record<string, unknown>> {
  const names = fields.map((f) => f.name);
  const count = names.length;
  const out: Array<Record<string, unknown>> = new Array(end - start);
  for (let r = start; r < end; r++) {
    const values = rows[r];
    const row: Record<string, unknown> = {};
    for (let c = 0; c < count; c++) {
      const text = values[c];
      row[names[c]] = text === null ? null : converters[c](text);
    }
    out[r - start] = row;
  }
  return out;
}

const NUMBER_TYPES = new Set<number>([OID.INT2, OID.INT4, OID.FLOAT4, OID.FLOAT8]);

function jsonConverterFor(oid: number, parse: Convert): Convert {
  if (oid === OID.TIMESTAMPTZ) {
    return (text) => (UTC_TIMESTAMPTZ.test(text) ? isoFromUtcText(text, 3) : parse(text));
  }
  if (oid === OID.TIMESTAMP) {
    return (text) => (PLAIN_TIMESTAMP.test(text) ? isoFromUtcText(text, 0) : parse(text));
  }
  // The driver reads these with parseInt / parseFloat: the same number for PostgreSQL's text.
  if (NUMBER_TYPES.has(oid)) {
    return (text) => +text;
  }
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
  const ms =
    text.charCodeAt(19) === 46 /* . */ ? (text.slice(20, text.length - offsetLength) + '00').slice(0, 3) : '000';
  return text.slice(0, 10) + 'T' + text.slice(11, 19) + '.' + ms + 'Z';
}

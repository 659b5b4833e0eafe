import { stringify } from 'csv-stringify/sync';
import type { DbTextResult } from '../db/types';
import { ApiError } from '../errors';
import { Readable } from 'node:stream';
import { encodeJsonArray, encodeNdjson, encodePieces, ROWS_PER_PIECE, toRowObjects } from './encode-text-rows';

export type OutputFormat = 'json' | 'csv' | 'ndjson';

const CONTENT_TYPES: Record<OutputFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The first format the Accept header allows (in its order); JSON when it allows anything. */
export function pickOutputFormat(accept: string | undefined): OutputFormat {
  if (!accept || accept.trim() === '') {
    return 'json';
  }
  const types = accept
    .split(',')
    .map((part) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { type } of types) {
    if (type === 'application/json' || type === 'application/*' || type === '*/*') {
      return 'json';
    }
    if (type === 'text/csv' || type === 'text/*') {
      return 'csv';
    }
    if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') {
      return 'ndjson';
    }
  }
  throw new ApiError(
    'not_acceptable',
    `Cannot answer with ${accept}: use application/json, text/csv or application/x-ndjson`,
    { accept }
  );
}

export function contentType(format: OutputFormat): string {
  return CONTENT_TYPES[format];
}

/** Rows → body text. Times are ISO-8601 (UTC) in every format. */
export function formatRows(format: OutputFormat, rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (format === 'json') {
    return JSON.stringify(rows);
  }
  if (format === 'ndjson') {
    return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  }
  return csvText(rows, columns, true);
}

function csvText(rows: Array<Record<string, unknown>>, columns: string[], header: boolean): string {
  return stringify(rows, {
    header,
    columns,
    cast: {
      date: (d) => d.toISOString(),
      boolean: (b) => (b ? 'true' : 'false'),
      object: (o) => JSON.stringify(o),
    },
  });
}

/**
 * Rows still in PostgreSQL's text form → the body, streamed a piece at a time when there are
 * many (see encodePieces: a large answer is never held whole, and encoding it takes turns
 * with other requests as the client reads), else one string. The same bytes either way,
 * and the same `formatRows` gives for the parsed rows.
 */
export function textRowsBody(format: OutputFormat, result: DbTextResult): string | Readable {
  if (result.rows.length <= STREAM_ABOVE_ROWS) {
    return formatTextRows(format, result);
  }
  return Readable.from(format === 'csv' ? csvPieces(result) : encodePieces(result, format), { objectMode: false });
}

/** Answers of more rows than this are streamed. */
const STREAM_ABOVE_ROWS = 2 * ROWS_PER_PIECE;

function* csvPieces(result: DbTextResult): Generator<string> {
  const columns = result.fields.map((f) => f.name);
  const total = result.rows.length;
  for (let start = 0; start < total; start += ROWS_PER_PIECE) {
    const end = Math.min(total, start + ROWS_PER_PIECE);
    const rows = toRowObjects(result, start, end);
    for (let r = start; r < end; r++) {
      (result.rows as unknown[])[r] = null;
    }
    yield csvText(rows, columns, start === 0);
  }
}

/** Rows still in PostgreSQL's text form → body text: the same bytes `formatRows` gives for the parsed rows. */
export function formatTextRows(format: OutputFormat, result: DbTextResult): string {
  if (format === 'json') {
    return encodeJsonArray(result);
  }
  if (format === 'ndjson') {
    return encodeNdjson(result);
  }
  return formatRows(
    format,
    toRowObjects(result),
    result.fields.map((f) => f.name)
  );
}

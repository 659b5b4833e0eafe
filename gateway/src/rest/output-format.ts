import { stringify } from 'csv-stringify/sync';
import type { DbTextResult } from '../db/types';
import { ApiError } from '../errors';
import { encodeJsonArray, encodeNdjson, toRowObjects } from './encode-text-rows';

export type OutputFormat = 'json' | 'csv' | 'ndjson';

const CONTENT_TYPES: Record<OutputFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The first format the Accept header allows (in its order); JSON when it allows anything. */
export function pickOutputFormat(accept: string | undefined): OutputFormat {
  if (!accept || accept.trim() === '') return 'json';
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
    if (type === 'application/json' || type === 'application/*' || type === '*/*') return 'json';
    if (type === 'text/csv' || type === 'text/*') return 'csv';
    if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
  }
  throw new ApiError(406, 'not_acceptable', `Cannot answer with ${accept}: use application/json, text/csv or application/x-ndjson`, { accept });
}

export function contentType(format: OutputFormat): string {
  return CONTENT_TYPES[format];
}

/** Rows → body text. Times are ISO-8601 (UTC) in every format. */
export function formatRows(format: OutputFormat, rows: Record<string, unknown>[], columns: string[]): string {
  if (format === 'json') return JSON.stringify(rows);
  if (format === 'ndjson') return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  return stringify(rows, {
    header: true,
    columns,
    cast: {
      date: (d) => d.toISOString(),
      boolean: (b) => (b ? 'true' : 'false'),
      object: (o) => JSON.stringify(o),
    },
  });
}

/** Rows still in PostgreSQL's text form → body text: the same bytes `formatRows` gives for the parsed rows. */
export function formatTextRows(format: OutputFormat, result: DbTextResult): string {
  if (format === 'json') return encodeJsonArray(result);
  if (format === 'ndjson') return encodeNdjson(result);
  return formatRows(format, toRowObjects(result), result.fields.map((f) => f.name));
}

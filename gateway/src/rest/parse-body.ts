import { parse as parseCsv } from 'csv-parse/sync';
import { ApiError } from '../errors';
import type { ParseJson } from './json-array-segments';

/** One parsed input row; `textValues` marks CSV, where every value is text and "" means null. */
export interface ParsedRows {
  rows: Record<string, unknown>[];
  textValues: boolean;
}

/** CSV bodies: a header row names the columns. Shared by the whole-body and the streaming reader. */
export const CSV_OPTIONS = { columns: true, skip_empty_lines: true, bom: true, trim: false } as const;

export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

export const isNdjsonType = (type: string) => NDJSON_TYPES.includes(type);

/** The media type of a Content-Type header, lower case, without parameters. */
export const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

/**
 * A whole body's text → rows: JSON through `parseJson` (Fastify's own JSON parser, so the
 * errors are those of any JSON route), NDJSON and CSV as below.
 */
export function parseRowsText(text: string, contentType: string, parseJson: ParseJson): ParsedRows {
  const type = mediaType(contentType);
  if (type === 'application/json') return parseRowsBody(parseJson(text), type);
  return parseRowsBody(text, type);
}

/**
 * A POST body in any accepted shape → rows. JSON arrives already parsed (object or
 * array); NDJSON and CSV arrive as text.
 */
export function parseRowsBody(body: unknown, contentType: string | undefined): ParsedRows {
  const type = mediaType(contentType);
  if (body === undefined || body === null || body === '') throw new ApiError(400, 'empty_body', 'The request body is empty: send a JSON object, a JSON array, NDJSON or CSV');

  if (type === 'text/csv') return { rows: parseCsvRows(String(body)), textValues: true };
  if (isNdjsonType(type)) {
    return { rows: parseNdjsonRows(String(body)), textValues: false };
  }
  if (typeof body !== 'object') {
    throw new ApiError(400, 'malformed_body', 'The JSON body must be an object or an array of objects');
  }
  if (Buffer.isBuffer(body)) {
    throw new ApiError(415, 'unsupported_media_type', `Unsupported content type "${contentType}": use application/json, application/x-ndjson or text/csv`);
  }
  const rows = Array.isArray(body) ? body : [body];
  rows.forEach((row, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      throw new ApiError(400, 'malformed_body', `Row ${i} is not a JSON object`, { row: i });
    }
  });
  if (rows.length === 0) throw new ApiError(400, 'empty_body', 'The array holds no rows');
  return { rows: rows as Record<string, unknown>[], textValues: false };
}

function parseNdjsonRows(text: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new ApiError(400, 'malformed_body', `Line ${i + 1} is not valid JSON: ${(err as Error).message}`, { row: rows.length, line: i + 1 });
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new ApiError(400, 'malformed_body', `Line ${i + 1} is not a JSON object`, { row: rows.length, line: i + 1 });
    }
    rows.push(value as Record<string, unknown>);
  }
  if (rows.length === 0) throw new ApiError(400, 'empty_body', 'The NDJSON body holds no rows');
  return rows;
}

function parseCsvRows(text: string): Record<string, unknown>[] {
  let rows: Record<string, unknown>[];
  try {
    rows = parseCsv(text, CSV_OPTIONS);
  } catch (err) {
    const e = err as Error & { lines?: number; record?: number };
    throw new ApiError(400, 'malformed_body', `The CSV body cannot be read: ${e.message}`, { line: e.lines });
  }
  if (rows.length === 0) throw new ApiError(400, 'empty_body', 'The CSV body holds a header but no rows');
  return rows;
}

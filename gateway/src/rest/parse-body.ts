import { parse as parseCsv } from 'csv-parse/sync';
import { ApiError } from '../errors';

/** One parsed input row; `textValues` marks CSV, where every value is text and "" means null. */
export interface ParsedRows {
  rows: Array<Record<string, unknown>>;
  textValues: boolean;
}

/** CSV bodies: a header row names the columns. Shared by the whole-body and the streaming reader. */
export const CSV_OPTIONS = { columns: true, skip_empty_lines: true, bom: true, trim: false } as const;

export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

export const isNdjsonType = (type: string) => NDJSON_TYPES.includes(type);

/** The media type of a Content-Type header, lower case, without parameters. */
export const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

/**
 * A POST body in any accepted shape → rows. JSON arrives already parsed (object or
 * array); NDJSON and CSV arrive as text.
 */
export function parseRowsBody(body: unknown, contentType: string | undefined): ParsedRows {
  const type = mediaType(contentType);
  if (body === undefined || body === null || body === '') {
    throw new ApiError('empty_body', 'The request body is empty: send a JSON object, a JSON array, NDJSON or CSV');
  }

  if (type === 'text/csv') {
    return { rows: parseCsvRows(String(body)), textValues: true };
  }
  if (isNdjsonType(type)) {
    return { rows: parseNdjsonRows(String(body)), textValues: false };
  }
  if (typeof body !== 'object') {
    throw new ApiError('malformed_body', 'The JSON body must be an object or an array of objects');
  }
  if (Buffer.isBuffer(body)) {
    throw new ApiError(
      'unsupported_media_type',
      `Unsupported content type "${contentType}": use application/json, application/x-ndjson or text/csv`
    );
  }
  const rows = Array.isArray(body) ? body : [body];
  rows.forEach((row, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      throw new ApiError('malformed_body', `Row ${i} is not a JSON object`, { row: i });
    }
  });
  if (rows.length === 0) {
    throw new ApiError('empty_body', 'The array holds no rows');
  }
  return { rows: rows as Array<Record<string, unknown>>, textValues: false };
}

function parseNdjsonRows(text: string): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const row = ndjsonLineRow(lines[i], i + 1, rows.length);
    if (row) {
      rows.push(row);
    }
  }
  if (rows.length === 0) {
    throw ndjsonEmpty();
  }
  return rows;
}

/** One NDJSON line (1-based `line`) → its row; null for a blank line; not a JSON object → 400 naming the line. */
export function ndjsonLineRow(raw: string, line: number, row: number): Record<string, unknown> | null {
  const text = raw.trim();
  if (text === '') {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiError('malformed_body', `Line ${line} is not valid JSON: ${(err as Error).message}`, { row, line });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('malformed_body', `Line ${line} is not a JSON object`, { row, line });
  }
  return value as Record<string, unknown>;
}

export const ndjsonEmpty = () => new ApiError('empty_body', 'The NDJSON body holds no rows');

function parseCsvRows(text: string): Array<Record<string, unknown>> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = parseCsv(text, CSV_OPTIONS);
  } catch (err) {
    throw csvBodyError(err);
  }
  if (rows.length === 0) {
    throw csvEmpty();
  }
  return rows;
}

export function csvBodyError(err: unknown): ApiError {
  const e = err as Error & { lines?: number };
  return new ApiError('malformed_body', `The CSV body cannot be read: ${e.message}`, { line: e.lines });
}

export const csvEmpty = () => new ApiError('empty_body', 'The CSV body holds a header but no rows');

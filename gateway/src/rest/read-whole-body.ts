import { parse as csvParser } from 'csv-parse';
import {
  CSV_OPTIONS,
  csvBodyError,
  csvEmpty,
  isNdjsonType,
  ndjsonEmpty,
  ndjsonLineRow,
  parseRowsBody,
  type ParsedRows,
} from './parse-body';
import { JsonArraySegments, type JsonRow, type ParseJson } from './json-array-segments';
import { NotStreamable } from './not-streamable';
import type { RequestBody } from './request-body';
import { ROWS_PER_STEP, TimeSlices } from './time-slices';

/** Text handed to the CSV parser per step: a few milliseconds of parsing. */
const CSV_STEP_CHARS = 32 * 1024;

/** Sees each batch of rows as it is parsed (`firstIndex`: the row index of its first row) and may refuse the body early. */
export type LookAtRows = (rows: readonly JsonRow[], firstIndex: number) => void;
/** Makes a LookAtRows for a body whose values are all text (CSV) or not. */
export type RowScout = (textValues: boolean) => LookAtRows;

export interface JsonParsers {
  /** Fastify's JSON parser, for segments (a refused one is parsed again as a whole). */
  segment: ParseJson;
  /** The same, explaining its refusals: for the one whole-body parse that reports them. */
  whole: ParseJson;
}

/**
 * The careful path's reader: the whole body → its rows, with the errors of the whole-body
 * parsers (line numbers, Fastify's JSON errors), but in time slices, so a 64 MB body does
 * not hold the event loop while it is parsed. Parsing a large body in one call (csv-parse's
 * sync API, JSON.parse) took seconds for 1.3M CSV rows, during which nothing else answered.
 */
export async function readWholeBody(body: RequestBody, parsers: JsonParsers, scout?: RowScout): Promise<ParsedRows> {
  const slices = new TimeSlices();
  const type = body.contentType;
  const look = scout?.(type === 'text/csv') ?? (() => undefined);
  if (type === 'text/csv') {
    return { rows: await csvRows(await body.text(), slices, look), textValues: true };
  }
  if (isNdjsonType(type)) {
    return { rows: await ndjsonRows(await body.text(), slices, look), textValues: false };
  }
  const chunks = await body.chunksAll();
  const rows = await jsonArrayRows(chunks, parsers.segment, slices, look);
  // Not an array of objects, or not valid JSON: one parse of the whole text gives the answer
  // (and its exact error). Its cost stops at the first error; a single object is one row.
  return rows ? { rows, textValues: false } : parseRowsBody(parsers.whole(await body.text()), type);
}

/** Throws what the whole-body JSON parser throws for this body (syntax, prototype poisoning), in time slices. */
export async function assertJsonSyntax(body: RequestBody, parsers: JsonParsers): Promise<void> {
  if (!(await jsonArrayRows(await body.chunksAll(), parsers.segment, new TimeSlices(), () => undefined))) {
    parsers.whole(await body.text());
  }
}

async function csvRows(text: string, slices: TimeSlices, look: LookAtRows): Promise<JsonRow[]> {
  const rows: JsonRow[] = [];
  const parser = csvParser(CSV_OPTIONS);
  let failure: unknown = null;
  parser.on('data', (record: JsonRow) => rows.push(record));
  parser.on('error', (err) => (failure ??= err));
  const ended = new Promise<void>((resolve) => parser.on('end', resolve).on('error', () => resolve()));
  // The same parser and options as the streaming reader, fed a slice at a time.
  for (let at = 0; at < text.length && !failure; at += CSV_STEP_CHARS) {
    const seen = rows.length;
    parser.write(text.slice(at, at + CSV_STEP_CHARS));
    look(rows.slice(seen), seen);
    await slices.pause();
  }
  if (!failure) {
    parser.end();
  }
  await ended;
  if (failure) {
    throw csvBodyError(failure);
  }
  if (rows.length === 0) {
    throw csvEmpty();
  }
  return rows;
}

async function ndjsonRows(text: string, slices: TimeSlices, look: LookAtRows): Promise<JsonRow[]> {
  const rows: JsonRow[] = [];
  let line = 0;
  let seen = 0;
  for (let at = 0; at <= text.length;) {
    let end = text.indexOf('\n', at);
    if (end < 0) {
      end = text.length;
    }
    const row = ndjsonLineRow(text.slice(at, end), ++line, rows.length);
    if (row) {
      rows.push(row);
    }
    at = end + 1;
    if (line % ROWS_PER_STEP === 0) {
      look(rows.slice(seen), seen);
      seen = rows.length;
      await slices.pause();
    }
  }
  if (rows.length === 0) {
    throw ndjsonEmpty();
  }
  return rows;
}

/** A JSON array of objects read segment by segment (as the streaming reader does); null when the body is something else. */
async function jsonArrayRows(
  chunks: readonly Buffer[],
  parseJson: ParseJson,
  slices: TimeSlices,
  look: LookAtRows
): Promise<JsonRow[] | null> {
  const segments = new JsonArraySegments(parseJson);
  const rows: JsonRow[] = [];
  const take = (batch: unknown) => {
    const seen = rows.length;
    for (const row of batch as JsonRow[]) {
      rows.push(row);
    }
    look(rows.slice(seen), seen);
  };
  try {
    for (const chunk of chunks) {
      take(segments.push(chunk));
      await slices.pause();
    }
    take(segments.end());
  } catch (err) {
    if (err instanceof NotStreamable) {
      return null;
    }
    throw err;
  }
  return rows.length ? rows : null;
}

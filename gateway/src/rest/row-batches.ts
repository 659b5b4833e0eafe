import { Readable, pipeline } from 'node:stream';
import { CsvError, parse as csvParser } from 'csv-parse';
import { CSV_OPTIONS, isNdjsonType } from './parse-body';
import { JsonArraySegments, type JsonRow, type ParseJson, type RowBatch } from './json-array-segments';
import { NdjsonLines } from './ndjson-lines';
import { NotStreamable } from './not-streamable';
import type { RequestBody } from './request-body';

/** Rows of a body as it arrives, in order, a batch at a time. */
export interface RowBatches {
  batches: AsyncGenerator<RowBatch, void, undefined>;
  /** CSV: every value is text and "" means null. */
  textValues: boolean;
}

/** Records per batch out of the CSV parser. */
const CSV_BATCH = 2000;

/**
 * The streaming reader for the body's media type: a JSON array, NDJSON or CSV with a header.
 * Batches throw NotStreamable where the whole-body reader has to answer instead (including
 * every malformed body), and the body's own errors (413, cut short) as they are.
 */
export function rowBatches(body: RequestBody, parseJson: ParseJson): RowBatches {
  if (body.contentType === 'text/csv') {
    return { batches: csvBatches(body), textValues: true };
  }
  if (isNdjsonType(body.contentType)) {
    return { batches: byteBatches(body, new NdjsonLines()), textValues: false };
  }
  return { batches: byteBatches(body, new JsonArraySegments(parseJson)), textValues: false };
}

async function* byteBatches(
  body: RequestBody,
  reader: { push(chunk: Buffer): RowBatch; end(): JsonRow[] }
): AsyncGenerator<RowBatch, void, undefined> {
  for (let chunk = await body.next(); chunk !== null; chunk = await body.next()) {
    const rows = reader.push(chunk);
    if (rows.length) {
      yield rows;
    }
  }
  const rows = reader.end();
  if (rows.length) {
    yield rows;
  }
}

async function* csvBatches(body: RequestBody): AsyncGenerator<JsonRow[], void, undefined> {
  async function* chunks() {
    for (let chunk = await body.next(); chunk !== null; chunk = await body.next()) {
      yield chunk;
    }
  }
  // The same parser and options as the whole-body reader, fed as the bytes come.
  const records = pipeline(Readable.from(chunks()), csvParser(CSV_OPTIONS), () => undefined);
  let batch: JsonRow[] = [];
  try {
    for await (const record of records) {
      batch.push(record as JsonRow);
      if (batch.length === CSV_BATCH) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    if (err instanceof CsvError) {
      throw new NotStreamable(err.message);
    }
    throw err;
  } finally {
    records.destroy();
  }
  if (batch.length) {
    yield batch;
  }
}

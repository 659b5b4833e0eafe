import { NotStreamable } from './not-streamable';
import type { JsonRow } from './json-array-segments';

const NEWLINE = 0x0a;
const NO_ROWS: JsonRow[] = [];

/**
 * Reads NDJSON as its bytes arrive: every complete line is parsed on its own, exactly as
 * the whole-body reader does (trimmed, blank lines skipped, each line one JSON object).
 * A line that is not → NotStreamable, and the whole-body reader gives the answer.
 * JSON text never holds a raw newline, so cutting at newline bytes never splits a value
 * (nor a UTF-8 character).
 */
export class NdjsonLines {
  /** Bytes after the last newline: the start of a line still coming. */
  private partial: Buffer[] = [];

  push(chunk: Buffer): JsonRow[] {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.partial.push(chunk);
      return NO_ROWS;
    }
    this.partial.push(chunk.subarray(0, last));
    const lines = this.takePartial();
    if (last + 1 < chunk.length) {
      this.partial.push(chunk.subarray(last + 1));
    }
    return parseLines(lines);
  }

  end(): JsonRow[] {
    return parseLines(this.takePartial());
  }

  private takePartial(): string {
    const text =
      this.partial.length === 1 ? this.partial[0].toString('utf8') : Buffer.concat(this.partial).toString('utf8');
    this.partial = [];
    return text;
  }
}

function parseLines(text: string): JsonRow[] {
  const rows: JsonRow[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new NotStreamable('a line is not JSON');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new NotStreamable('a line is not a JSON object');
    }
    rows.push(value as JsonRow);
  }
  return rows;
}

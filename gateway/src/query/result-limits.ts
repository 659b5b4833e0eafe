import type { WorkFrame } from '../frames/frame-types';
import { resultTooLarge } from '../limits/bounds';
import type { ApiError } from '../errors';

/**
 * Caps on what one query may return, so a careless `SELECT *` cannot exhaust the gateway:
 * `maxRows` (MAX_ROW_LIMIT) rows and `maxBytes` (BODY_LIMIT) bytes of JSON, estimated.
 */
export interface ResultLimits {
  maxRows: number;
  maxBytes: number;
}

export function tooManyRows(limit: number): ApiError {
  return resultTooLarge(`The query returned more than ${limit} rows; aggregate, filter or add a LIMIT`, {
    maxRows: limit,
  });
}

export function tooManyBytes(maxBytes: number): ApiError {
  return resultTooLarge(`The query result is larger than ${maxBytes} bytes; aggregate, filter or add a LIMIT`, {
    maxBytes,
  });
}

/** Rough JSON size of one value (strings by length, everything else by its text form). */
function valueBytes(v: unknown): number {
  if (v === null || v === undefined) {
    return 4;
  }
  if (typeof v === 'string') {
    return v.length + 3;
  }
  if (typeof v === 'number') {
    return 12;
  }
  if (v instanceof Date) {
    return 14;
  }
  if (typeof v === 'object') {
    return JSON.stringify(v).length + 1;
  }
  return String(v).length + 1;
}

/** Rough JSON size of the rows; throws 422 as soon as it passes `maxBytes`. */
export function estimateBytes(rows: ReadonlyArray<Record<string, unknown>>, maxBytes: number): number {
  let total = 0;
  for (const row of rows) {
    for (const v of Object.values(row)) {
      total += valueBytes(v);
    }
    if (total > maxBytes) {
      throw tooManyBytes(maxBytes);
    }
  }
  return total;
}

/** Rough JSON size of a shaped frame (which long → wide or a fill may have made larger than its rows). */
export function estimateFrameBytes(frame: WorkFrame, maxBytes: number): number {
  let total = 0;
  for (const field of frame.fields) {
    total += field.name.length + 64;
    for (const v of field.values) {
      total += valueBytes(v);
    }
    if (total > maxBytes) {
      throw tooManyBytes(maxBytes);
    }
  }
  return total;
}

/**
 * The byte cap of a whole response: the queries of one request share it, in the order they
 * finish, so many queries cannot together hold more than one query may.
 */
export class ResponseBudget {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  /** Counts a finished query's frame; throws 422 if it does not fit in what is left. */
  charge(frame: WorkFrame): void {
    const bytes = estimateFrameBytes(frame, this.maxBytes);
    if (this.used + bytes > this.maxBytes) {
      throw resultTooLarge(
        `Together with the other queries of this request the response would be larger than ${this.maxBytes} bytes; split the queries or narrow them`,
        { maxBytes: this.maxBytes }
      );
    }
    this.used += bytes;
  }
}

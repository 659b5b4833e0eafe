import { ApiError } from '../errors';

/** Caps on what one query may return, so a careless `SELECT *` cannot exhaust the gateway. */
export interface ResultLimits {
  maxRows: number;
  maxBytes: number;
}

export function tooManyRows(limit: number): ApiError {
  return new ApiError(422, 'result_too_large', `The query returned more than ${limit} rows; aggregate, filter or add a LIMIT`, { maxRows: limit });
}

/** Rough JSON size of the rows (strings by length, everything else by its text form). */
export function estimateBytes(rows: readonly Record<string, unknown>[], maxBytes: number): number {
  let total = 0;
  for (const row of rows) {
    for (const v of Object.values(row)) {
      if (v === null || v === undefined) total += 4;
      else if (typeof v === 'string') total += v.length + 3;
      else if (typeof v === 'number') total += 12;
      else if (v instanceof Date) total += 14;
      else if (typeof v === 'object') total += JSON.stringify(v).length + 1;
      else total += String(v).length + 1;
    }
    if (total > maxBytes) {
      throw new ApiError(422, 'result_too_large', `The query result is larger than ${maxBytes} bytes; aggregate, filter or add a LIMIT`, { maxBytes });
    }
  }
  return total;
}

import type { ResolvedColumn } from '../catalog/catalog';
import { CoercionError } from './coerce-value';
import { type CsvEncoder, csvEncoderFor } from './copy-csv';
import type { JsonRow } from './json-array-segments';

/** A row the streaming COPY does not take as is; never reaches the client. */
export class NeedsCarefulPath extends Error {}

/** One input row → its line of COPY CSV, newline included. */
export type CsvRowEncoder = (row: JsonRow) => string;

/**
 * The line encoder for rows with exactly `keys`, in that order, built once per request:
 * per column the value checks and coercion of `csvEncoderFor`, in the table's column order.
 * A row with other keys (or in another order), or a value that does not fit its column,
 * throws NeedsCarefulPath.
 */
export function csvRowEncoder(keys: string[], columns: ResolvedColumn[], textValues: boolean): CsvRowEncoder {
  const encoders: CsvEncoder[] = columns.map((c) => csvEncoderFor(c, textValues));
  const names = columns.map((c) => c.name);
  const count = keys.length;
  return (row) => {
    // Same keys in the same order as the first row (parsed rows have no inherited
    // enumerable keys): then every column is there and nothing else is.
    let k = 0;
    for (const key in row) {
      if (key !== keys[k++]) {
        throw new NeedsCarefulPath();
      }
    }
    if (k !== count) {
      throw new NeedsCarefulPath();
    }
    try {
      let line = encoders[0](row[names[0]]);
      for (let c = 1; c < count; c++) {
        line += ',' + encoders[c](row[names[c]]);
      }
      return line + '\n';
    } catch (err) {
      if (err instanceof CoercionError) {
        throw new NeedsCarefulPath();
      }
      throw err;
    }
  };
}

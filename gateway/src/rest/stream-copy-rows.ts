import type { ResolvedColumn, ResolvedTable } from '../catalog/catalog';
import type { Db } from '../db/types';
import { CoercionError } from './coerce-value';
import { type CsvEncoder, csvEncoderFor } from './copy-csv';
import type { ParsedRows } from './parse-body';

/** Rows per CSV chunk handed to COPY: large enough to keep per-chunk costs low, small enough to overlap. */
const ROWS_PER_CHUNK = 4000;

/** Thrown inside the COPY when a row needs the careful path; never reaches the client. */
class NeedsCarefulPath extends Error {}

/**
 * The fast path of large uniform batches: rows are checked, coerced and turned into COPY CSV
 * chunk by chunk while PostgreSQL is already ingesting the previous chunks, instead of
 * checking everything first and copying after.
 *
 * All or nothing still holds: the COPY runs in one transaction. At the first row this path
 * does not take as is — a key set other than the first row's, an unknown column, a value that
 * does not fit — the COPY is abandoned and the transaction rolled back, and `null` tells the
 * caller to take the careful path (check every row, report every error, INSERT with DEFAULTs
 * for missing columns), which answers exactly as if this path did not exist.
 * Database errors (constraints, …) are errors of the request and are thrown as they are.
 */
export async function streamCopyRows(db: Db, table: ResolvedTable, parsed: ParsedRows): Promise<number | null> {
  const { rows } = parsed;
  if (!db.copyFrom || rows.length === 0) return null;
  const keys = Object.keys(rows[0]);
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  if (keys.length === 0 || !keys.every((k) => byName.has(k))) return null;
  // Columns in the table's order, as the careful path lists them.
  const columns = table.columns.filter((c) => keys.includes(c.name));
  const copySql = `COPY ${table.ident} (${columns.map((c) => c.ident).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
  try {
    return await db.transaction((tx) => db.copyFrom!(tx, copySql, csvChunks(rows, keys, columns, parsed.textValues)));
  } catch (err) {
    if (err instanceof NeedsCarefulPath) return null;
    throw err;
  }
}

function* csvChunks(rows: Record<string, unknown>[], keys: string[], columns: ResolvedColumn[], textValues: boolean): Generator<string> {
  const encoders: CsvEncoder[] = columns.map((c) => csvEncoderFor(c, textValues));
  const names = columns.map((c) => c.name);
  const count = columns.length;
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(rows.length, start + ROWS_PER_CHUNK);
    let chunk = '';
    for (let r = start; r < end; r++) {
      const row = rows[r];
      // Same keys in the same order as the first row (JSON objects have no inherited
      // enumerable keys): then every column is there and nothing else is.
      let k = 0;
      for (const key in row) {
        if (key !== keys[k++]) throw new NeedsCarefulPath();
      }
      if (k !== keys.length) throw new NeedsCarefulPath();
      let line = '';
      for (let c = 0; c < count; c++) {
        try {
          line += (c === 0 ? '' : ',') + encoders[c](row[names[c]]);
        } catch (err) {
          if (err instanceof CoercionError) throw new NeedsCarefulPath();
          throw err;
        }
      }
      chunk += line + '\n';
    }
    yield chunk;
  }
}

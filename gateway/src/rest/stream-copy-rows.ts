import type { ResolvedTable } from '../catalog/catalog';
import type { Db } from '../db/types';
import { type CsvRowEncoder, csvRowEncoder, NeedsCarefulPath } from './copy-row-encoder';
import type { JsonRow, RowBatch } from './json-array-segments';
import { NotStreamable } from './not-streamable';
import type { RowBatches } from './row-batches';
import { takesCopy } from '../sql/foreign-pushdown';
import { copyStatement } from '../sql/write-statements';

/** Keys the whole-body JSON parser refuses (prototype poisoning): such rows take the careful path. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

/**
 * The fast path of large uniform batches: rows are read, checked, coerced and turned into
 * COPY CSV batch by batch while the body is still arriving and PostgreSQL is already
 * ingesting the previous batches, so receiving, parsing, checking and the server's COPY
 * overlap. At most one batch of row objects is alive at a time.
 *
 * The rows are parsed (native JSON.parse per segment, csv-parse, one JSON.parse per NDJSON
 * line) and each value coerced by its column's encoder. A byte-level JSON→CSV transcoder
 * that skipped the row objects was measured against this in bench/rest.bench.ts (same run,
 * same 100,000 rows) and was slower (0.8× these rows/s), so it was removed.
 *
 * COPY starts once `minRows` rows have arrived; a body that ends before is a small batch and
 * `null` is returned without writing. All or nothing still holds: the COPY runs in one
 * transaction. At the first row this path does not take as is — a key set other than the
 * first row's, an unknown column, a value that does not fit, a body that is not plain JSON /
 * NDJSON / CSV — the COPY is abandoned and the transaction rolled back, and `null` tells the
 * caller to take the careful path on the whole body (check every row, report every error,
 * INSERT with DEFAULTs for missing columns), which answers exactly as if this path did not
 * exist. Database errors (constraints, …) and the body's own errors (too large, cut short)
 * are thrown as they are.
 */
export async function streamCopyRows(
  db: Db,
  table: ResolvedTable,
  source: RowBatches,
  minRows: number
): Promise<number | null> {
  if (!db.copyFrom || !takesCopy(table)) {
    return null;
  }
  const { batches } = source;
  try {
    const head = await readAtLeast(batches, minRows);
    if (!head) {
      return null;
    }
    const keys = Object.keys(head[0][0]);
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    if (keys.length === 0 || !keys.every((k) => byName.has(k) && !FORBIDDEN_KEYS.has(k))) {
      return null;
    }
    // Columns in the table's order, as the careful path lists them.
    const columns = table.columns.filter((c) => keys.includes(c.name));
    const encodeRow = csvRowEncoder(keys, columns, source.textValues);
    return await db.transaction((tx) =>
      db.copyFrom!(tx, copyStatement(table, columns), csvChunks(head, batches, encodeRow))
    );
  } catch (err) {
    if (err instanceof NeedsCarefulPath || err instanceof NotStreamable) {
      return null;
    }
    throw err;
  } finally {
    // The row reader stops here, whatever the outcome (the caller may read the rest of the
    // body itself). Not awaited: it may be waiting for bytes that a stalled client never sends.
    batches.return(undefined).catch(() => undefined);
  }
}

/** The first batches, holding at least `minRows` rows; null when the body ends before. */
async function readAtLeast(batches: AsyncGenerator<RowBatch>, minRows: number): Promise<RowBatch[] | null> {
  const head: RowBatch[] = [];
  let count = 0;
  while (count < Math.max(1, minRows)) {
    const step = await batches.next();
    if (step.done) {
      return null;
    }
    head.push(step.value);
    count += step.value.length;
  }
  return head;
}

/** Batches as COPY CSV, one chunk per batch: only one batch of row objects is alive at a time. */
async function* csvChunks(
  head: RowBatch[],
  rest: AsyncGenerator<RowBatch>,
  encodeRow: CsvRowEncoder
): AsyncGenerator<string> {
  for (const batch of head) {
    yield encodeBatch(batch, encodeRow);
  }
  head.length = 0;
  for (let step = await rest.next(); !step.done; step = await rest.next()) {
    yield encodeBatch(step.value, encodeRow);
  }
}

/** A batch as one chunk of COPY CSV. */
function encodeBatch(rows: RowBatch, encodeRow: CsvRowEncoder): string {
  let chunk = '';
  for (let r = 0; r < rows.length; r++) {
    chunk += encodeRow(rows[r]);
  }
  return chunk;
}

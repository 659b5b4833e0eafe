import type { ResolvedColumn, ResolvedTable } from '../catalog/catalog';
import { mapDatabaseError } from '../db/sqlstate';
import type { Db, DbSession } from '../db/types';
import { ApiError } from '../errors';
import { csvField } from './copy-csv';
import { insertStatement } from '../sql/write-statements';

/**
 * Where in a POST the database refused a value, for the errors only the database can judge
 * (varchar(n) too long, numeric(p,s) overflow, an unknown enum label, a malformed uuid, a
 * CHECK or NOT NULL constraint…): the row index in the request and, when it can be known,
 * the column, so the client hears `Row 3, column "code": value too long…` instead of a bare
 * database message.
 *
 * COPY says where itself (its error context names the line and column). A multi-row INSERT
 * does not: its rows are tried again, halves at a time, in a transaction that is always
 * rolled back, until one row gives the same error; then that row's columns one by one.
 */

export interface RowPlace {
  row: number;
  column?: string;
}

interface DbErrorLike {
  code?: unknown;
  where?: unknown;
  column?: unknown;
}

/** The error as the client sees it, with the row (and column) it belongs to. */
export function rowDatabaseError(err: unknown, place: RowPlace): ApiError | null {
  const base = mapDatabaseError(err);
  if (!base || base.statusCode >= 500) {
    return null;
  }
  const column =
    place.column ??
    (typeof (err as DbErrorLike).column === 'string' ? ((err as DbErrorLike).column as string) : undefined);
  const at = `Row ${place.row}${column ? `, column "${column}"` : ''}`;
  const details = (base.details && typeof base.details === 'object' ? base.details : {}) as Record<string, unknown>;
  return new ApiError(base.code, `${at}: ${base.message}`, {
    ...details,
    errors: [{ row: place.row, ...(column ? { column } : {}), reason: base.message }],
  });
}

/** `COPY t, line 4, column qty: "…"`, `COPY t, line 2: "…"`: one line of the error context. */
const COPY_CONTEXT = /^COPY .*?, line (\d+)(?:, column (.*))?/m;

/**
 * The row of a COPY error, from its context ("COPY t, line 4, column qty: \"…\""). Lines are
 * physical: a value holding a newline takes more than one, so the lines of the rows sent
 * (`values`, as coerced for `columns`) are counted up to the one named. PostgreSQL counts a
 * quoted newline only once it knows the line ending, which the end of the first row tells it:
 * newlines inside the first row do not count.
 */
export function placeOfCopyError(err: unknown, columns: ResolvedColumn[], values: unknown[][]): RowPlace | null {
  const where = (err as DbErrorLike | null)?.where;
  if (typeof where !== 'string') {
    return null;
  }
  const m = COPY_CONTEXT.exec(where);
  if (!m) {
    return null;
  }
  const line = Number(m[1]);
  const rest = m[2];
  // Column names may hold ", " or ": " themselves: the longest one the text starts with.
  const named =
    rest === undefined
      ? undefined
      : columns
          .filter((c) => rest === c.name || rest.startsWith(`${c.name}: `))
          .sort((a, b) => b.name.length - a.name.length)[0]?.name;
  let first = 1;
  for (let row = 0; row < values.length; row++) {
    let last = first;
    for (const value of row === 0 ? [] : values[row]) {
      if (value === null || value === undefined) {
        continue;
      }
      const field = csvField(value);
      for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) {
        last++;
      }
    }
    if (line >= first && line <= last) {
      return { row, column: named };
    }
    first = last + 1;
  }
  return null;
}

/** Errors one row causes on its own, whatever the other rows hold: worth looking for. */
const PER_ROW_CODES = /^(22...|23502|23503|23514|54000)$/;

class Located {
  constructor(readonly place: RowPlace | null) {}
}

/**
 * The first of `rows` (values per `columns`, undefined = DEFAULT) that gives `err` again when
 * inserted, and its column; null when the error is not one a single row causes, or it does
 * not show again. Nothing is kept: the probing transaction is always rolled back.
 */
export async function placeOfInsertError(
  db: Db,
  table: ResolvedTable,
  columns: ResolvedColumn[],
  rows: unknown[][],
  err: unknown
): Promise<RowPlace | null> {
  const code = (err as DbErrorLike | null)?.code;
  if (typeof code !== 'string' || !PER_ROW_CODES.test(code) || rows.length === 0) {
    return null;
  }
  try {
    await db.transaction(async (tx) => {
      const fails = async (cols: ResolvedColumn[], batch: unknown[][]) =>
        (await tryInsert(tx, table, cols, batch))?.code === code;
      let lo = 0;
      let hi = rows.length;
      while (hi - lo > 1) {
        const mid = lo + ((hi - lo) >> 1);
        if (await fails(columns, rows.slice(lo, mid))) {
          hi = mid;
        } else {
          lo = mid;
        }
      }
      const again = await tryInsert(tx, table, columns, [rows[lo]]);
      if (again?.code !== code) {
        throw new Located(null);
      }
      if (code === INDEX_ROW_TOO_LARGE) {
        throw new Located({ row: lo, column: await indexedColumnOf(tx, table, columns, rows[lo]) });
      }
      if (typeof again.column === 'string' || !code.startsWith('22')) {
        throw new Located({ row: lo });
      }
      // A data error names no column: the row's values one at a time.
      for (let c = 0; c < columns.length; c++) {
        if (rows[lo][c] === undefined) {
          continue;
        }
        if (await fails([columns[c]], [[rows[lo][c]]])) {
          throw new Located({ row: lo, column: columns[c].name });
        }
      }
      throw new Located({ row: lo });
    });
  } catch (outcome) {
    if (outcome instanceof Located) {
      return outcome.place;
    }
    // The probe itself failed (connection lost…): the original error is reported as it is.
  }
  return null;
}

/** "index row requires 120072 bytes, maximum size is 8191" (and btree's "index row size … exceeds maximum"). */
const INDEX_ROW_TOO_LARGE = '54000';

/**
 * A COPY error's place, with the column filled in for a too large index row, which names
 * none (COPY's context gives the line only).
 */
export async function placeOfCopyErrorWithColumn(
  db: Db,
  table: ResolvedTable,
  err: unknown,
  columns: ResolvedColumn[],
  values: unknown[][]
): Promise<RowPlace | null> {
  const place = placeOfCopyError(err, columns, values);
  if (!place || place.column || (err as DbErrorLike).code !== INDEX_ROW_TOO_LARGE) {
    return place;
  }
  return { ...place, column: await indexedColumnOf(db, table, columns, values[place.row]).catch(() => undefined) };
}

/**
 * The column of a too large index row: the longest of the row's values in indexed columns
 * (an index entry grows with the values it holds; a long value elsewhere is simply toasted).
 */
async function indexedColumnOf(
  session: DbSession,
  table: ResolvedTable,
  columns: ResolvedColumn[],
  row: unknown[]
): Promise<string | undefined> {
  const indexed = await session.query<{ name: string }>(
    `SELECT DISTINCT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indrelid = $1::regclass`,
    [table.ident]
  );
  const names = new Set(indexed.rows.map((r) => r.name));
  let widest: { name: string; length: number } | undefined;
  columns.forEach((column, c) => {
    const value = row[c];
    if (!names.has(column.name) || value === null || value === undefined) {
      return;
    }
    const length = String(value).length;
    if (!widest || length > widest.length) {
      widest = { name: column.name, length };
    }
  });
  return widest?.name;
}

/** One INSERT of `rows` behind a savepoint, undone whatever happens; the error it gave, if any. */
async function tryInsert(
  tx: DbSession,
  table: ResolvedTable,
  columns: ResolvedColumn[],
  rows: unknown[][]
): Promise<DbErrorLike | null> {
  const { sql, params } = insertStatement(table, columns, rows);
  await tx.query('SAVEPOINT locate_row');
  let failure: DbErrorLike | null = null;
  try {
    await tx.query(sql, params);
  } catch (err) {
    failure = err as DbErrorLike;
  }
  await tx.query('ROLLBACK TO SAVEPOINT locate_row');
  return failure;
}

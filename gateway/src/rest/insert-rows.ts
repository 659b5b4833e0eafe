import { ApiError } from '../errors';
import type { ResolvedColumn, ResolvedTable } from '../catalog/catalog';
import type { Db, DbSession } from '../db/types';
import { CoercionError, coerceValue } from './coerce-value';
import { csvField } from './copy-csv';
import { insertStatement, placeOfCopyError, placeOfInsertError, rowDatabaseError } from './locate-row-error';
import type { ParsedRows } from './parse-body';

export interface RowError {
  row: number;
  column: string;
  reason: string;
}

const MAX_REPORTED_ERRORS = 100;
// PostgreSQL allows 65535 bound parameters per statement, but the embedded database's
// protocol writer counts them in a signed 16-bit field (more fail there): stay below 32768.
const MAX_PARAMS_PER_STATEMENT = 32_000;

export interface PreparedRows {
  columns: ResolvedColumn[];
  /** values[r][c] for columns[c]; undefined = the row left that column out (its DEFAULT applies). */
  values: unknown[][];
  /** Every row names every column: COPY can carry them. */
  uniform: boolean;
}

/**
 * Checks every row against the table before anything is written: unknown columns and
 * values that do not fit their column type are reported together, with row index and
 * column, and nothing is inserted.
 */
export function prepareRows(table: ResolvedTable, parsed: ParsedRows): PreparedRows {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const used = new Set<string>();
  parsed.rows.forEach((row, index) => {
    for (const key of Object.keys(row)) {
      if (!byName.has(key)) {
        throw new ApiError(400, 'unknown_column', `Unknown column "${key}" in table "${table.name}" (row ${index})`, { table: table.name, column: key, row: index });
      }
      used.add(key);
    }
  });
  const columns = table.columns.filter((c) => used.has(c.name));
  if (columns.length === 0) throw new ApiError(400, 'empty_body', 'The rows name no columns');

  const errors: RowError[] = [];
  let uniform = true;
  const values = parsed.rows.map((row, index) =>
    columns.map((col) => {
      if (!(col.name in row)) {
        uniform = false;
        return undefined;
      }
      try {
        // A Date binds as UTC text on both drivers (db/types.ts), as COPY writes it.
        return coerceValue(col, row[col.name], parsed.textValues);
      } catch (err) {
        if (!(err instanceof CoercionError)) throw err;
        if (errors.length < MAX_REPORTED_ERRORS) errors.push({ row: index, column: col.name, reason: err.message });
        return null;
      }
    })
  );
  if (errors.length) {
    const first = errors[0];
    throw new ApiError(400, 'invalid_value', `Row ${first.row}, column "${first.column}": ${first.reason}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, { errors });
  }
  return { columns, values, uniform };
}

/**
 * All rows in one transaction: COPY when the driver streams it and the batch is large, else
 * INSERT batches. A value the database refuses is reported with its row (and column).
 */
export async function insertRows(db: Db, table: ResolvedTable, prepared: PreparedRows, copyThreshold: number): Promise<number> {
  const useCopy = db.copyFrom !== undefined && prepared.uniform && prepared.values.length >= copyThreshold;
  // The rows of the INSERT statement running when the database refused one.
  const statement = { start: 0, end: 0 };
  try {
    return await db.transaction((tx) => writePreparedRows(db, tx, table, prepared, useCopy, statement));
  } catch (err) {
    const place = useCopy
      ? placeOfCopyError(err, prepared.columns, prepared.values)
      : await placeOfInsertError(db, table, prepared.columns, prepared.values.slice(statement.start, statement.end), err);
    const located = place && rowDatabaseError(err, useCopy ? place : { ...place, row: statement.start + place.row });
    throw located ?? err;
  }
}

/**
 * Checked rows into the table inside the caller's transaction: COPY (`useCopy`, the driver
 * streams it and every row names every column) or INSERT batches. `statement`, when given,
 * tracks the rows of the INSERT running, for locating a refused row.
 */
export function writePreparedRows(db: Db, tx: DbSession, table: ResolvedTable, prepared: PreparedRows, useCopy: boolean, statement = { start: 0, end: 0 }): Promise<number> {
  if (useCopy && db.copyFrom && prepared.uniform) return copyRows(db, tx, table, prepared);
  return insertBatches(tx, table, prepared, statement);
}

/** The database refused a row of these, written by COPY: the error with its row, when COPY said where. */
export function locateCopyError(err: unknown, prepared: PreparedRows): unknown {
  const place = placeOfCopyError(err, prepared.columns, prepared.values);
  return (place && rowDatabaseError(err, place)) ?? err;
}

async function insertBatches(tx: DbSession, table: ResolvedTable, { columns, values }: PreparedRows, statement: { start: number; end: number }): Promise<number> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS_PER_STATEMENT / columns.length));
  let inserted = 0;
  for (let start = 0; start < values.length; start += perStatement) {
    statement.start = start;
    statement.end = Math.min(values.length, start + perStatement);
    const { sql, params } = insertStatement(table, columns, values.slice(statement.start, statement.end));
    const res = await tx.query(sql, params);
    inserted += res.rowCount;
  }
  return inserted;
}

async function copyRows(db: Db, tx: DbSession, table: ResolvedTable, { columns, values }: PreparedRows): Promise<number> {
  const copySql = `COPY ${table.ident} (${columns.map((c) => c.ident).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
  return db.copyFrom!(tx, copySql, csvChunks(values));
}

const ROWS_PER_CHUNK = 2000;

/** Prepared rows as COPY CSV text, a chunk at a time. */
function* csvChunks(values: unknown[][]): Generator<string> {
  for (let start = 0; start < values.length; start += ROWS_PER_CHUNK) {
    let chunk = '';
    const end = Math.min(values.length, start + ROWS_PER_CHUNK);
    for (let r = start; r < end; r++) {
      const row = values[r];
      for (let c = 0; c < row.length; c++) {
        if (c > 0) chunk += ',';
        chunk += csvField(row[c]);
      }
      chunk += '\n';
    }
    yield chunk;
  }
}

import { ApiError } from '../errors';
import { unknownColumn } from '../catalog/unknown-column';
import type { ResolvedColumn, ResolvedTable } from '../catalog/catalog';
import type { Db, DbSession } from '../db/types';
import { CoercionError, coerceValue } from './coerce-value';
import { csvField } from './copy-csv';
import { takesCopy } from '../sql/foreign-pushdown';
import { copyStatement, insertStatement } from '../sql/write-statements';
import { placeOfCopyErrorWithColumn, placeOfInsertError, rowDatabaseError } from './locate-row-error';
import type { ParsedRows } from './parse-body';
import { ROWS_PER_STEP, TimeSlices } from './time-slices';

export interface RowError {
  row: number;
  column: string;
  reason: string;
}

/**
 * Bad values reported per request. Checking stops there: a body of a million junk rows is
 * refused after its first bad rows instead of after coercing (and describing) every value.
 */
export const MAX_REPORTED_ERRORS = 20;
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
 * Checks the rows against the table before anything is written: an unknown column is
 * refused at once; values that do not fit their column type are reported together (up to
 * MAX_REPORTED_ERRORS, then checking stops), with row index and column, and nothing is
 * inserted. Runs in time slices (see time-slices.ts), so a large body does not hold the
 * event loop.
 */
export async function prepareRows(table: ResolvedTable, parsed: ParsedRows): Promise<PreparedRows> {
  const slices = new TimeSlices();
  const { rows, textValues } = parsed;
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const used = new Set<string>();
  for (let start = 0; start < rows.length; start += ROWS_PER_STEP) {
    const end = Math.min(rows.length, start + ROWS_PER_STEP);
    for (let index = start; index < end; index++) {
      for (const key of Object.keys(rows[index])) {
        if (used.has(key)) {
          continue;
        }
        if (!byName.has(key)) {
          throw unknownColumn(table.name, key, { row: index });
        }
        used.add(key);
      }
    }
    await slices.pause();
  }
  const columns = table.columns.filter((c) => used.has(c.name));
  if (columns.length === 0) {
    throw new ApiError('empty_body', 'The rows name no columns');
  }

  const errors: RowError[] = [];
  let uniform = true;
  const values: unknown[][] = new Array(rows.length);
  for (let start = 0; start < rows.length && errors.length < MAX_REPORTED_ERRORS; start += ROWS_PER_STEP) {
    const end = Math.min(rows.length, start + ROWS_PER_STEP);
    for (let index = start; index < end && errors.length < MAX_REPORTED_ERRORS; index++) {
      const row = rows[index];
      values[index] = columns.map((col) => {
        if (!(col.name in row)) {
          uniform = false;
          return undefined;
        }
        try {
          // A Date binds as UTC text on both drivers (db/types.ts), as COPY writes it.
          return coerceValue(col, row[col.name], textValues);
        } catch (err) {
          if (!(err instanceof CoercionError)) {
            throw err;
          }
          if (errors.length < MAX_REPORTED_ERRORS) {
            errors.push({ row: index, column: col.name, reason: err.message });
          }
          return null;
        }
      });
    }
    await slices.pause();
  }
  if (errors.length) {
    throw invalidValues(errors);
  }
  return { columns, values, uniform };
}

function invalidValues(errors: RowError[]): ApiError {
  const first = errors[0];
  const more =
    errors.length >= MAX_REPORTED_ERRORS
      ? ` (and ${errors.length - 1} more; checking stopped there)`
      : errors.length > 1
        ? ` (and ${errors.length - 1} more)`
        : '';
  return new ApiError('invalid_value', `Row ${first.row}, column "${first.column}": ${first.reason}${more}`, {
    errors,
    ...(errors.length >= MAX_REPORTED_ERRORS ? { truncated: true } : {}),
  });
}

/**
 * Looks at rows as the body is parsed, before it has all been read: once MAX_REPORTED_ERRORS
 * bad values are seen, the body is refused with them at once, instead of parsing the rest of
 * a junk body first. Fewer bad values change nothing (prepareRows then reports them, after
 * an unknown column anywhere). Keys that are not columns are left to prepareRows.
 */
export function badValueScout(
  table: ResolvedTable,
  textValues: boolean
): (rows: ReadonlyArray<Record<string, unknown>>, firstIndex: number) => void {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const errors: RowError[] = [];
  return (rows, firstIndex) => {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (const key in row) {
        const col = byName.get(key);
        if (!col) {
          continue;
        }
        try {
          coerceValue(col, row[key], textValues);
        } catch (err) {
          if (!(err instanceof CoercionError)) {
            throw err;
          }
          errors.push({ row: firstIndex + r, column: col.name, reason: err.message });
          if (errors.length >= MAX_REPORTED_ERRORS) {
            throw invalidValues(sortedByColumn(errors, table));
          }
        }
      }
    }
  };
}

/** Within a row, errors in the table's column order, as prepareRows lists them. */
function sortedByColumn(errors: RowError[], table: ResolvedTable): RowError[] {
  const order = new Map(table.columns.map((c, i) => [c.name, i]));
  return [...errors].sort((a, b) => a.row - b.row || order.get(a.column)! - order.get(b.column)!);
}

/**
 * All rows in one transaction: COPY when the driver streams it and the batch is large, else
 * INSERT batches. A value the database refuses is reported with its row (and column).
 */
export async function insertRows(
  db: Db,
  table: ResolvedTable,
  prepared: PreparedRows,
  copyThreshold: number
): Promise<number> {
  const useCopy =
    db.copyFrom !== undefined && takesCopy(table) && prepared.uniform && prepared.values.length >= copyThreshold;
  // The rows of the INSERT statement running when the database refused one.
  const statement = { start: 0, end: 0 };
  try {
    return await db.transaction((tx) => writePreparedRows(db, tx, table, prepared, useCopy, statement));
  } catch (err) {
    const place = useCopy
      ? await placeOfCopyErrorWithColumn(db, table, err, prepared.columns, prepared.values)
      : await placeOfInsertError(
          db,
          table,
          prepared.columns,
          prepared.values.slice(statement.start, statement.end),
          err
        );
    const located = place && rowDatabaseError(err, useCopy ? place : { ...place, row: statement.start + place.row });
    throw located ?? err;
  }
}

/**
 * Checked rows into the table inside the caller's transaction: COPY (`useCopy`, the driver
 * streams it and every row names every column) or INSERT batches. `statement`, when given,
 * tracks the rows of the INSERT running, for locating a refused row.
 */
export function writePreparedRows(
  db: Db,
  tx: DbSession,
  table: ResolvedTable,
  prepared: PreparedRows,
  useCopy: boolean,
  statement = { start: 0, end: 0 }
): Promise<number> {
  if (useCopy && db.copyFrom && prepared.uniform && takesCopy(table)) {
    return copyRows(db, tx, table, prepared);
  }
  return insertBatches(tx, table, prepared, statement);
}

/** The database refused a row of these, written by COPY: the error with its row, when COPY said where. */
export async function locateCopyError(
  db: Db,
  table: ResolvedTable,
  err: unknown,
  prepared: PreparedRows
): Promise<unknown> {
  const place = await placeOfCopyErrorWithColumn(db, table, err, prepared.columns, prepared.values);
  return (place && rowDatabaseError(err, place)) ?? err;
}

async function insertBatches(
  tx: DbSession,
  table: ResolvedTable,
  { columns, values }: PreparedRows,
  statement: { start: number; end: number }
): Promise<number> {
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

async function copyRows(
  db: Db,
  tx: DbSession,
  table: ResolvedTable,
  { columns, values }: PreparedRows
): Promise<number> {
  return db.copyFrom!(tx, copyStatement(table, columns), csvChunks(values));
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
        if (c > 0) {
          chunk += ',';
        }
        chunk += csvField(row[c]);
      }
      chunk += '\n';
    }
    yield chunk;
  }
}

import type { Params } from '../sql/builder-context';
import { quoteIdent } from '../pg/quote';

/**
 * The byte cap (BODY_LIMIT) held inside the database, where the rows are produced. Both drivers
 * hold a whole result in memory before handing it over (the embedded one first in its WASM
 * heap), so a check after the result has arrived comes too late: three rows of 480 MB each
 * would already be in the process. Instead the statement is wrapped so that the database keeps
 * a running total of the result's size, in row order, and stops the statement with an error at
 * the first row that would carry it past the cap: nothing past the cap ever leaves the server,
 * and the server stops working on the statement right there.
 *
 *   SELECT "c1", "c2", … FROM (
 *     SELECT *, sum(<row size>) OVER (ROWS UNBOUNDED PRECEDING) AS "__result_bytes"
 *     FROM (<statement>) AS "sized"("c1", "c2", …)
 *   ) AS "capped"
 *   WHERE CASE WHEN "__result_bytes" <= $cap THEN true ELSE (<marker> || "__result_bytes")::integer IS NULL END
 *
 * - A window without ORDER BY or PARTITION BY adds no sort: rows keep the statement's order,
 *   and the window streams (ROWS … CURRENT ROW needs no look-ahead).
 * - SQL has no way to stop a scan from a filter: rows refused by a WHERE are still produced and
 *   counted toward no LIMIT, so a filter alone would scan a huge result to its end. A failing
 *   cast of a text carrying a marker ends the statement instead; the runner recognises the
 *   marker (`isResultBytesStop`) and answers 422 `result_too_large`. The text depends on the
 *   row, so the planner cannot fold the cast to an error at plan time.
 * - The size of a row is counted per column, in the text form the wire carries: octet_length of
 *   `::text` (for text itself the length is read from the value's header, without
 *   decompressing it). Whole-row measures were measured and refused: `pg_column_size(row)` counts
 *   compressed values at their compressed size (100 kB of repeated text counted as 1 kB),
 *   and `row::text` copies every row once more, which runs the embedded database out of
 *   memory on a row of a few hundred megabytes. Fixed-width columns (numbers, times, booleans)
 *   are counted as a constant without looking at them.
 * - Column names: the statement's columns get positional aliases ("sized"("c1", …)), so
 *   duplicate names and `SELECT *` are fine; the runner maps them back to the real names. The
 *   running total is not in the result: `columns` must be the statement's columns, in order.
 *
 * Why in SQL and not by streaming rows from the driver (a cursor, stopped at the cap): the
 * embedded database has no cursor to stream from (PGlite answers a statement with its whole
 * result, built in the worker's WASM heap), so it needs this anyway, and one mechanism for
 * both drivers keeps them answering alike. It costs one window aggregate over the rows sent
 * (about 40 ms per 100 000 rows on PostgreSQL 15) and, in SQL mode, a `LIMIT 0` round trip
 * to learn the columns.
 */

/** Name of the running total, inside the wrapped statement only (never in its result). */
const RESULT_BYTES_COLUMN = '__result_bytes';

/** What the failing cast's message carries (`invalid input syntax for type integer: "…"`). */
const STOP_MARKER = 'result_bytes_over_cap';
const STOP_PATTERN = new RegExp(`"${STOP_MARKER} \\d+`);

/** Bytes a fixed-width value is counted as: what a number takes in JSON, roughly. */
export const FIXED_VALUE_BYTES = 12;
/** Quotes and a comma around a text value; a NULL counts like `null,`. */
const TEXT_OVERHEAD_BYTES = 3;
const NULL_BYTES = 4;

/** PostgreSQL types of fixed, small width: their values need no measuring. */
const FIXED_WIDTH_OIDS = new Set([
  16, // bool
  20, // int8
  21, // int2
  23, // int4
  26, // oid
  700, // float4
  701, // float8
  790, // money
  1082, // date
  1083, // time
  1114, // timestamp
  1184, // timestamptz
  1186, // interval
  1266, // timetz
  2278, // void
  2950, // uuid
]);

export function isFixedWidthOid(oid: number): boolean {
  return FIXED_WIDTH_OIDS.has(oid);
}

export interface SizedColumn {
  /** The column's name in the wrapped statement's result (unique). */
  name: string;
  /** Fixed-width values are counted as FIXED_VALUE_BYTES; the others are measured. */
  fixedWidth: boolean;
}

export interface ResultBytesSqlOptions {
  /** Give the statement's columns these names by position (for statements with duplicate or unknown names). */
  positional?: boolean;
  /** Append `LIMIT maxRows + 1` (the row cap; one more row tells the runner the result is too large). */
  maxRows?: number;
}

/**
 * `sql` wrapped so the database stops it with a marked error once its rows pass `maxBytes`
 * (see the header). The result has `columns` in order, and nothing else.
 */
export function resultBytesCappedSql(
  sql: string,
  columns: readonly SizedColumn[],
  maxBytes: number,
  params: Params,
  options: ResultBytesSqlOptions = {}
): string {
  const fixed = columns.filter((c) => c.fixedWidth).length;
  const measured = columns
    .filter((c) => !c.fixedWidth)
    .map((c) => `COALESCE(octet_length(${quoteIdent(c.name)}::text)::bigint + ${TEXT_OVERHEAD_BYTES}, ${NULL_BYTES})`);
  const rowBytes = [`${fixed * FIXED_VALUE_BYTES}::bigint`, ...measured].join(' + ');
  const aliases = options.positional ? `(${columns.map((c) => quoteIdent(c.name)).join(', ')})` : '';
  const total = quoteIdent(RESULT_BYTES_COLUMN);
  const cap = params.add(maxBytes, 'bigint');
  // The statement may end in a comment: its closing parenthesis goes on a line of its own.
  // The outer list names the statement's columns, not the running total: it decides which rows
  // leave the server but is no value of theirs, so it is neither packed nor sent.
  const list = columns.map((c) => quoteIdent(c.name)).join(', ');
  let wrapped =
    `SELECT ${list} FROM (SELECT *, sum(${rowBytes}) OVER (ROWS UNBOUNDED PRECEDING) AS ${total} FROM (\n${sql}\n) AS "sized"${aliases}) AS "capped"` +
    ` WHERE CASE WHEN ${total} <= ${cap} THEN true ELSE ('${STOP_MARKER} ' || ${total})::integer IS NULL END`;
  if (options.maxRows !== undefined) {
    wrapped += ` LIMIT ${params.add(options.maxRows + 1, 'bigint')}`;
  }
  return wrapped;
}

/** Whether `err` is the marked stop of `resultBytesCappedSql`: the result passed the byte cap. */
export function isResultBytesStop(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '22P02' && typeof e.message === 'string' && STOP_PATTERN.test(e.message);
}

import type { ResolvedColumn, ResolvedTable } from '../catalog/catalog';
import type { Db } from '../db/types';
import { Params } from '../sql/builder-context';

/** How many of the newest rows are looked at: enough for the values in use, bounded on any table size. */
export const VALUES_SAMPLE_ROWS = 100_000;

/**
 * Distinct values of a column for template variables and ad hoc filters. On big hypertables a
 * full DISTINCT would scan everything, so only the newest rows are read (by the time column,
 * which hypertables index), and tables without one are sampled by a plain bounded scan.
 */
export async function distinctValues(
  db: Db,
  table: ResolvedTable,
  column: ResolvedColumn,
  opts: { q?: string; limit: number; statementTimeoutMs: number; signal?: AbortSignal }
): Promise<Array<string | number | boolean>> {
  const params = new Params();
  const time = table.timeColumn ? table.columns.find((c) => c.name === table.timeColumn) : undefined;
  const order = time ? ` ORDER BY ${time.ident} DESC` : '';
  const sample = `SELECT ${column.ident} AS "v" FROM ${table.ident} WHERE ${column.ident} IS NOT NULL${order} LIMIT ${params.add(VALUES_SAMPLE_ROWS, 'bigint')}`;
  const where = opts.q ? ` WHERE "v"::text ILIKE ${params.add(`%${opts.q.replace(/[\\%_]/g, '\\$&')}%`, 'text')}` : '';
  const sql = `SELECT DISTINCT "v" FROM (${sample}) AS "recent"${where} ORDER BY "v" LIMIT ${params.add(opts.limit, 'bigint')}`;
  const result = await db.transaction((tx) => tx.query<{ v: unknown }>(sql, params.values), {
    readOnly: true,
    staleOk: true,
    statementTimeoutMs: opts.statementTimeoutMs,
    signal: opts.signal,
  });
  return result.rows.map(({ v }) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      return v;
    }
    if (v instanceof Date) {
      return v.toISOString();
    }
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

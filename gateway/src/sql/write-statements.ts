import type { ResolvedColumn, ResolvedTable } from '../catalog/catalog';
import { BoundParams } from './params';

/** The statements that write rows: one place for the REST POST and the ingest bridges. */

/** `COPY t (cols) FROM STDIN` in CSV, the format the row encoders write. */
export function copyStatement(table: ResolvedTable, columns: readonly ResolvedColumn[]): string {
  return `COPY ${table.ident} (${columns.map((c) => c.ident).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
}

/** `INSERT INTO t (cols) VALUES (…), (…)` with every value bound; undefined → DEFAULT. */
export function insertStatement(
  table: ResolvedTable,
  columns: readonly ResolvedColumn[],
  rows: readonly unknown[][]
): { sql: string; params: unknown[] } {
  const params = new BoundParams();
  const tuples = rows.map(
    (row) => '(' + row.map((v) => (v === undefined ? 'DEFAULT' : params.add(v))).join(', ') + ')'
  );
  return {
    sql: `INSERT INTO ${table.ident} (${columns.map((c) => c.ident).join(', ')}) VALUES ${tuples.join(', ')}`,
    params: params.values,
  };
}

import type { CatalogTable } from '../contract/catalog';
import type { Dialect } from './bucket-sql';

/**
 * postgres_fdw sends a WHERE, GROUP BY or aggregate to the remote server only when every
 * function in it is a built-in, immutable one (or belongs to an extension the server declares
 * in its `extensions` option). `time_bucket`, `first`/`last` and `time_bucket_gapfill` are
 * TimescaleDB's, so on a foreign table (or a view over one) the builder writes the plain
 * PostgreSQL forms instead — `date_bin`, `array_agg(… ORDER BY …)`, a generate_series gap
 * fill — which give the same buckets and values and can be pushed. The time bounds are bound
 * parameters either way (never `now()`, which is not pushed).
 */
export function readsForeignData(table: Pick<CatalogTable, 'kind' | 'foreignSources'>): boolean {
  return table.kind === 'foreign_table' || (table.foreignSources?.length ?? 0) > 0;
}

/** The dialect to build SQL in for this table. */
export function dialectForTable(table: Pick<CatalogTable, 'kind' | 'foreignSources'>, dialect: Dialect): Dialect {
  return readsForeignData(table) ? 'postgres' : dialect;
}

/**
 * Whether rows may go into the table with COPY: not a foreign table, whose wrapper would take
 * COPY row by row on the remote side at best — batched INSERTs push whole statements.
 */
export function takesCopy(table: Pick<CatalogTable, 'kind'>): boolean {
  return table.kind !== 'foreign_table';
}

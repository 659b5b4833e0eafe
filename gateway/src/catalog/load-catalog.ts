import type { DbSession } from '../db/types';
import type { CatalogColumn, CatalogTable, RelationKind } from '../contract/catalog';
import { columnKind } from './column-kind';
import { foreignFields, loadForeignRelations } from './foreign-relations';

/** A catalog entry plus what the gateway needs to build SQL with it. */
export interface CatalogEntry extends CatalogTable {
  /** Relation name inside its schema (CatalogTable.name may carry the schema). */
  relname: string;
  columns: CatalogColumn[];
}

// System schemas and TimescaleDB's own (chunks, materialisations, catalog) are not data.
const HIDDEN_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'timescaledb_information', 'timescaledb_experimental', 'toolkit_experimental')
  AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT LIKE '\\_timescaledb%'`;

const RELATIONS_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND ${HIDDEN_SCHEMAS}
  AND has_schema_privilege(n.oid, 'USAGE')
ORDER BY n.nspname, c.relname`;

const COLUMNS_SQL = `
SELECT a.attrelid::int8 AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       format_type(t.oid, NULL) AS base_type, t.typcategory::text AS category, NOT a.attnotnull AS nullable
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t0 ON t0.oid = a.atttypid
-- A domain behaves like its base type.
JOIN pg_type t ON t.oid = CASE WHEN t0.typtype = 'd' THEN t0.typbasetype ELSE t0.oid END
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND ${HIDDEN_SCHEMAS}
ORDER BY a.attrelid, a.attnum`;

const HYPERTABLES_SQL = `
SELECT h.hypertable_schema AS schema, h.hypertable_name AS name, h.compression_enabled AS compression,
       d.column_name AS time_column, COALESCE(d.time_interval::text, d.integer_interval::text) AS chunk_interval
FROM timescaledb_information.hypertables h
LEFT JOIN timescaledb_information.dimensions d
  ON d.hypertable_schema = h.hypertable_schema AND d.hypertable_name = h.hypertable_name AND d.dimension_number = 1`;

const CAGGS_SQL = `
SELECT view_schema AS schema, view_name AS name, hypertable_schema AS source_schema, hypertable_name AS source_name
FROM timescaledb_information.continuous_aggregates`;

// The bucket width lives in TimescaleDB's internal catalog (2.13+); absent elsewhere.
const CAGG_WIDTHS_SQL = `
SELECT ca.user_view_schema AS schema, ca.user_view_name AS name, bf.bucket_width::text AS width
FROM _timescaledb_catalog.continuous_agg ca
JOIN _timescaledb_catalog.continuous_aggs_bucket_function bf ON bf.mat_hypertable_id = ca.mat_hypertable_id`;

const RELKINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized_view',
  f: 'foreign_table',
};

/** Everything the catalog holds, read from pg_catalog and timescaledb_information. */
export async function loadCatalog(db: DbSession, hasTimescale: boolean): Promise<CatalogEntry[]> {
  const relations = await db.query<{ oid: number; schema: string; name: string; relkind: string }>(RELATIONS_SQL);
  const columns = await db.query<{
    oid: number;
    name: string;
    type: string;
    base_type: string;
    category: string;
    nullable: boolean;
  }>(COLUMNS_SQL);
  const byOid = new Map<number, CatalogColumn[]>();
  for (const c of columns.rows) {
    const list = byOid.get(Number(c.oid)) ?? [];
    list.push({ name: c.name, type: c.type, kind: columnKind(c.base_type, c.category), nullable: c.nullable });
    byOid.set(Number(c.oid), list);
  }

  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  const hypertables = new Map<
    string,
    { compression: boolean; time_column: string | null; chunk_interval: string | null }
  >();
  const caggs = new Map<string, { source: string | null; width: string | null }>();
  if (hasTimescale) {
    for (const h of (
      await db.query<{
        schema: string;
        name: string;
        compression: boolean;
        time_column: string | null;
        chunk_interval: string | null;
      }>(HYPERTABLES_SQL)
    ).rows) {
      hypertables.set(key(h.schema, h.name), h);
    }
    const widths = new Map<string, string | null>();
    try {
      for (const w of (await db.query<{ schema: string; name: string; width: string | null }>(CAGG_WIDTHS_SQL)).rows) {
        widths.set(key(w.schema, w.name), w.width);
      }
    } catch {
      // Older TimescaleDB: no bucket function table; widths stay unknown.
    }
    for (const c of (
      await db.query<{ schema: string; name: string; source_schema: string; source_name: string }>(CAGGS_SQL)
    ).rows) {
      caggs.set(key(c.schema, c.name), {
        source: c.source_name ? displayName(c.source_schema, c.source_name) : null,
        width: widths.get(key(c.schema, c.name)) ?? null,
      });
    }
  }

  const foreign = await loadForeignRelations(db);
  const names = new Map(relations.rows.map((r) => [Number(r.oid), displayName(r.schema, r.name)]));

  return relations.rows.map((r) => {
    const cols = byOid.get(Number(r.oid)) ?? [];
    const hyper = hypertables.get(key(r.schema, r.name));
    const cagg = caggs.get(key(r.schema, r.name));
    const kind: RelationKind = hyper ? 'hypertable' : cagg ? 'continuous_aggregate' : RELKINDS[r.relkind];
    const firstTime = cols.find((c) => c.kind === 'time')?.name ?? null;
    const entry: CatalogEntry = {
      name: displayName(r.schema, r.name),
      schema: r.schema,
      relname: r.name,
      kind,
      timeColumn: hyper?.time_column ?? firstTime,
      columns: cols,
    };
    if (hyper) {
      entry.hypertable = { chunkInterval: hyper.chunk_interval, compression: Boolean(hyper.compression) };
    }
    if (cagg) {
      entry.continuousAggregate = { bucketWidth: cagg.width, source: cagg.source };
    }
    Object.assign(
      entry,
      foreignFields(foreign, Number(r.oid), (oid) => names.get(oid))
    );
    return entry;
  });
}

/** Bare name in the default schema, "schema.name" elsewhere. */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

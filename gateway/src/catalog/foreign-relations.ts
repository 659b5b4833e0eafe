import type { DbSession } from '../db/types';
import type { ForeignTableInfo } from '../contract/catalog';

/**
 * Foreign tables and the views that read them, from pg_catalog. The builder needs to know both:
 * SQL over them must stay pushable to the remote server (see sql/foreign-pushdown.ts).
 */

export interface ForeignRelations {
  /** Foreign table oid → where its rows live. */
  tables: Map<number, ForeignTableInfo>;
  /** View (or materialized view) oid → oids of the foreign tables it reads, through any depth of views. */
  viewSources: Map<number, number[]>;
}

// postgres_fdw takes the remote names from the table's options, else the local schema and name.
const FOREIGN_TABLES_SQL = `
SELECT ft.ftrelid::int8 AS oid, s.srvname AS server, w.fdwname AS wrapper,
       n.nspname AS local_schema, c.relname AS local_name,
       (SELECT o.option_value FROM pg_options_to_table(ft.ftoptions) o WHERE o.option_name = 'schema_name') AS schema_option,
       (SELECT o.option_value FROM pg_options_to_table(ft.ftoptions) o WHERE o.option_name = 'table_name') AS table_option
FROM pg_foreign_table ft
JOIN pg_class c ON c.oid = ft.ftrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_foreign_server s ON s.oid = ft.ftserver
JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw`;

// A view's rewrite rule depends on every relation its query names; follow views down to foreign tables.
const VIEW_SOURCES_SQL = `
WITH RECURSIVE reads(view_oid, rel) AS (
  SELECT r.ev_class, d.refobjid
  FROM pg_rewrite r
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
  WHERE d.refobjid <> r.ev_class
  UNION
  SELECT reads.view_oid, d.refobjid
  FROM reads
  JOIN pg_rewrite r ON r.ev_class = reads.rel
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
  WHERE d.refobjid <> r.ev_class
)
SELECT reads.view_oid::int8 AS view_oid, reads.rel::int8 AS foreign_oid
FROM reads JOIN pg_class c ON c.oid = reads.rel
WHERE c.relkind = 'f'
ORDER BY 1, 2`;

interface ForeignTableRow {
  oid: number;
  server: string;
  wrapper: string;
  local_schema: string;
  local_name: string;
  schema_option: string | null;
  table_option: string | null;
}

export async function loadForeignRelations(db: DbSession): Promise<ForeignRelations> {
  const tables = new Map<number, ForeignTableInfo>();
  for (const r of (await db.query<ForeignTableRow>(FOREIGN_TABLES_SQL)).rows) {
    const postgresFdw = r.wrapper === 'postgres_fdw';
    tables.set(Number(r.oid), {
      server: r.server,
      wrapper: r.wrapper,
      remoteSchema: r.schema_option ?? (postgresFdw ? r.local_schema : null),
      remoteName: r.table_option ?? (postgresFdw ? r.local_name : null),
    });
  }
  const viewSources = new Map<number, number[]>();
  if (tables.size > 0) {
    for (const r of (await db.query<{ view_oid: number; foreign_oid: number }>(VIEW_SOURCES_SQL)).rows) {
      const list = viewSources.get(Number(r.view_oid)) ?? [];
      list.push(Number(r.foreign_oid));
      viewSources.set(Number(r.view_oid), list);
    }
  }
  return { tables, viewSources };
}

/** The catalog fields of one relation: `foreignTable` for a foreign table, `foreignSources` for a view over some. */
export function foreignFields(
  foreign: ForeignRelations,
  oid: number,
  nameOf: (oid: number) => string | undefined
): { foreignTable?: ForeignTableInfo; foreignSources?: string[] } {
  const table = foreign.tables.get(oid);
  if (table) {
    return { foreignTable: table };
  }
  const sources = foreign.viewSources.get(oid);
  if (!sources) {
    return {};
  }
  // A foreign table the gateway cannot see (a hidden schema) still counts, by its oid.
  return { foreignSources: sources.map((s) => nameOf(s) ?? `oid ${s}`) };
}

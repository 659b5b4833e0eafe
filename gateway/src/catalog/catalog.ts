import { ApiError } from '../errors';
import { unknownColumn } from './unknown-column';
import type { CatalogColumn, CatalogTable, ColumnKind, RelationKind } from '../contract/catalog';
import type { DbSession } from '../db/types';
import { loadCatalog, type CatalogEntry } from './load-catalog';
import { loadContinuousAggregates, type ContinuousAggregate } from './continuous-aggregates';
import { quoteIdent } from '../pg/quote';

/** A catalog column (contract shape) with its identifier quoted for SQL text. */
export interface ResolvedColumn extends CatalogColumn {
  /** Quoted identifier, safe to put in SQL text. */
  ident: string;
}

/** A catalog table with what SQL needs: every identifier already quoted. */
export interface ResolvedTable {
  /** Catalog name: bare in public, "schema.name" elsewhere. */
  name: string;
  schema: string;
  /** Name inside the schema. */
  relname: string;
  kind: RelationKind;
  timeColumn: string | null;
  /** Quoted, schema-qualified identifier: "schema"."name". */
  ident: string;
  columns: ResolvedColumn[];
  /** The public catalog entry (contract shape). */
  entry: CatalogTable;
}

// A stream of requests for made-up table names must not turn into a stream of catalog reloads.
const MISS_REFRESH_INTERVAL_MS = 2000;

/**
 * The tables the gateway may serve, cached. Every identifier in a request is resolved
 * here; an unknown one is a 404 / 400 naming it, never SQL.
 */
export class Catalog {
  private tables = new Map<string, ResolvedTable>();
  private caggs: ContinuousAggregate[] = [];
  private lastRefresh = 0;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly db: DbSession,
    private readonly hasTimescale: boolean
  ) {}

  /** Re-reads the catalog; concurrent callers share one reload. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const entries = await loadCatalog(this.db, this.hasTimescale);
        const caggs = this.hasTimescale ? await loadContinuousAggregates(this.db) : [];
        this.tables = new Map(entries.map((e) => [e.name, resolve(e)]));
        this.caggs = caggs;
        this.lastRefresh = Date.now();
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  list(): CatalogTable[] {
    return [...this.tables.values()].map((t) => t.entry);
  }

  /** Continuous aggregates whose raw rows come from `source` (a catalog name), directly or through a parent cagg. */
  continuousAggregatesOf(source: string): ContinuousAggregate[] {
    return this.caggs.filter((c) => c.source === source);
  }

  /** The table by catalog name (also "public.name"); 404 unknown_table otherwise. */
  resolveTable(name: string): ResolvedTable {
    const table = this.lookup(name);
    if (!table) {
      throw new ApiError('unknown_table', `Unknown table "${name}"`, { table: name });
    }
    return table;
  }

  /** Like resolveTable, but a miss first re-reads the catalog (rate-limited), for tables created since. */
  async resolveTableFresh(name: string): Promise<ResolvedTable> {
    if (!this.lookup(name) && Date.now() - this.lastRefresh > MISS_REFRESH_INTERVAL_MS) {
      await this.refresh();
    }
    return this.resolveTable(name);
  }

  /** The column of the table; 400 unknown_column naming it otherwise. */
  resolveColumn(table: ResolvedTable | string, column: string): ResolvedColumn {
    const t = typeof table === 'string' ? this.resolveTable(table) : table;
    const col = t.columns.find((c) => c.name === column);
    if (!col) {
      throw unknownColumn(t.name, column);
    }
    return col;
  }

  private lookup(name: string): ResolvedTable | undefined {
    return (
      this.tables.get(name) ?? (name.startsWith('public.') ? this.tables.get(name.slice('public.'.length)) : undefined)
    );
  }
}

function resolve(e: CatalogEntry): ResolvedTable {
  const { columns, relname, ...entry } = e;
  return {
    name: e.name,
    schema: e.schema,
    relname,
    kind: e.kind,
    timeColumn: e.timeColumn,
    ident: `${quoteIdent(e.schema)}.${quoteIdent(relname)}`,
    columns: columns.map((c: CatalogColumn) => ({ ...c, ident: quoteIdent(c.name) })),
    entry,
  };
}

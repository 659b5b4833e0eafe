import type { ResolvedTable } from '../../catalog/catalog';
import { quoteIdent } from '../../pg/quote';
import type { Db } from '../../db/types';

/** The two tables ingest keeps beside a target table, as quoted identifiers. */
export interface IngestTables {
  /** `<table>_dead_letter`: messages that could not be stored, with the reason. */
  deadLetter: string;
  /** `<table>_ingest_seen`: message ids already stored (or dead-lettered), per source. */
  seen: string;
}

const MAX_IDENT = 63;

/** Names beside the target (same schema); too long a name is refused rather than truncated into another. */
export function ingestTableNames(table: ResolvedTable): { deadLetter: string; seen: string } {
  const deadLetter = `${table.relname}_dead_letter`;
  const seen = `${table.relname}_ingest_seen`;
  for (const n of [deadLetter, seen]) {
    if (Buffer.byteLength(n) > MAX_IDENT) {
      throw new Error(`table name "${table.relname}" is too long for its ingest table "${n}" (63 bytes at most)`);
    }
  }
  return { deadLetter, seen };
}

/** Creates them when absent. The seen table's primary key is what makes a redelivery a duplicate. */
export async function ensureIngestTables(db: Db, table: ResolvedTable): Promise<IngestTables> {
  const names = ingestTableNames(table);
  const schema = quoteIdent(table.schema);
  const deadLetter = `${schema}.${quoteIdent(names.deadLetter)}`;
  const seen = `${schema}.${quoteIdent(names.seen)}`;
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${deadLetter} (
       id bigserial PRIMARY KEY,
       received_at timestamptz NOT NULL DEFAULT now(),
       source text NOT NULL,
       origin text NOT NULL,
       message_id text,
       error text NOT NULL,
       details jsonb,
       payload bytea NOT NULL)`
  );
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${seen} (
       source text NOT NULL,
       message_id text NOT NULL,
       seen_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (source, message_id))`
  );
  return { deadLetter, seen };
}

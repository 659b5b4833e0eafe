import type { DbSession } from './db/types';

export interface Capabilities {
  postgresVersion: string;
  /** Null on plain PostgreSQL: SQL paths then use date_bin instead of time_bucket. */
  timescaledb: { version: string; license: string | null } | null;
}

/** What the connected database can do, read once at start. */
export async function detectCapabilities(db: DbSession): Promise<Capabilities> {
  const { rows } = await db.query<{ server_version: string; tsdb: string | null; license: string | null }>(
    `SELECT current_setting('server_version') AS server_version,
            (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS tsdb,
            current_setting('timescaledb.license', true) AS license`
  );
  const row = rows[0];
  return {
    postgresVersion: row.server_version,
    timescaledb: row.tsdb ? { version: row.tsdb, license: row.license || null } : null,
  };
}

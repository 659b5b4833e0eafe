import { join } from 'node:path';
import type { GatewayConfig } from '../config';
import type { Db } from './types';
import { createEmbeddedDb } from './embedded-driver';
import { createPostgresDb } from './pg-driver';

/** DATABASE_URL set → the pg pool; unset → the embedded TimescaleDB under DATA_DIR (or in memory). */
export async function openDb(config: GatewayConfig, onError?: (err: Error) => void): Promise<Db> {
  if (config.databaseUrl) {
    const db = createPostgresDb({
      connectionString: config.databaseUrl,
      statementTimeoutMs: config.statementTimeoutMs,
      connectionTimeoutMs: config.connectionTimeoutMs,
      maxConnections: config.poolSize,
      onError,
    });
    return db;
  }
  return createEmbeddedDb(embeddedDataDir(config.dataDir));
}

/** The database files live in DATA_DIR/pgdata, so DATA_DIR can also hold the demo token. */
export function embeddedDataDir(dataDir: string): string | undefined {
  return isMemoryDataDir(dataDir) ? undefined : join(dataDir, 'pgdata');
}

export function isMemoryDataDir(dataDir: string): boolean {
  return dataDir.startsWith('memory://');
}

import { join } from 'node:path';
import type { GatewayConfig } from './config';
import type { Db } from './db/types';
import { createEmbeddedDb, type EmbeddedDbLog } from './db/embedded-driver';
import { createPostgresDb } from './db/pg-driver';
import { ReplicaSet, replicaName } from './db/replicas';
import { withReadReplicas } from './db/routed-db';
import { detectCapabilities } from './capabilities';
import { seedDemoData } from './demo/seed-demo-data';
import { provisionReaderRole } from './query/reader-role';

/** DATABASE_URL set → the pg pool; unset → the embedded TimescaleDB under DATA_DIR (or in memory). */
export async function openDb(config: GatewayConfig, onError?: (err: Error) => void, log?: EmbeddedDbLog): Promise<Db> {
  if (config.databaseUrl) {
    const db = createPostgresDb({
      connectionString: config.databaseUrl,
      statementTimeoutMs: config.statementTimeoutMs,
      connectionTimeoutMs: config.connectionTimeoutMs,
      maxConnections: config.poolSize,
      preparedStatements: config.preparedStatements,
      onError,
    });
    return config.readUrls.length ? openWithReplicas(db, config, onError) : db;
  }
  return createEmbeddedDb({
    dataDir: embeddedDataDir(config.dataDir),
    statementTimeoutMs: config.statementTimeoutMs,
    log,
    onFreshDatabase: (db) => setUpAgain(db, config, log),
  });
}

/**
 * An in-memory embedded database that restarted (a statement ran past the timeout) is empty.
 * What the gateway set up at start comes back: SQL mode's reader role (SQL mode made it once and
 * counts on it) and, when the gateway seeds, the demo tables. What clients wrote is gone.
 */
async function setUpAgain(db: Db, config: GatewayConfig, log?: EmbeddedDbLog): Promise<void> {
  await provisionReaderRole(db, config.readerRole, null);
  if (config.seed) {
    const seeded = await seedDemoData(db, await detectCapabilities(db));
    log?.warn({ tables: seeded.created }, 'demo data seeded again into the restarted in-memory database');
  }
}

/** The database files live in DATA_DIR/pgdata, so DATA_DIR can also hold the demo token. */
export function embeddedDataDir(dataDir: string): string | undefined {
  return isMemoryDataDir(dataDir) ? undefined : join(dataDir, 'pgdata');
}

export function isMemoryDataDir(dataDir: string): boolean {
  return dataDir.startsWith('memory://');
}

// A replica that does not answer is given up on quickly: the primary can serve instead.
const REPLICA_CONNECT_TIMEOUT_MS = 2000;

/** The primary plus the DATABASE_READ_URL replicas, watched every poll (a quarter of READ_MAX_LAG, 100 ms – 1 s). */
async function openWithReplicas(primary: Db, config: GatewayConfig, onError?: (err: Error) => void): Promise<Db> {
  const replicas = new ReplicaSet({
    primary,
    replicas: config.readUrls.map((url) => ({
      name: replicaName(url),
      url,
      db: createPostgresDb({
        connectionString: url,
        statementTimeoutMs: config.statementTimeoutMs,
        connectionTimeoutMs: Math.min(config.connectionTimeoutMs, REPLICA_CONNECT_TIMEOUT_MS),
        maxConnections: config.poolSize,
        preparedStatements: config.preparedStatements,
        readOnly: true,
        onError,
      }),
    })),
    maxLagMs: config.readMaxLagMs,
    pollMs: Math.min(1000, Math.max(100, Math.floor(config.readMaxLagMs / 4))),
  });
  await replicas.start();
  return withReadReplicas(primary, replicas);
}

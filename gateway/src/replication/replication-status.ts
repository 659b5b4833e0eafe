import type { DbSession, ReplicaStatus } from '../db/types';

/**
 * What `GET /api/v1/replication` reports about the database the gateway writes to: its role,
 * the standbys and logical subscribers streaming from it (pg_stat_replication), its replication
 * slots with the WAL each holds back (a slot nobody reads keeps WAL until the disk is full),
 * publications with their tables, subscriptions with their state, and on TimescaleDB the
 * hypertables whose chunks a publication naming them does not carry (chunks are tables of their
 * own, and a publication only ever gets the ones added by name). Each part is read on its own:
 * one the gateway's user may not see is reported with its error, the others still are.
 */

export interface Standby {
  applicationName: string;
  clientAddr: string | null;
  state: string | null;
  syncState: string | null;
  sentLsn: string | null;
  replayLsn: string | null;
  /** WAL the standby has yet to replay, in bytes. */
  replayLagBytes: number | null;
  /** PostgreSQL's own replay_lag (time between a commit and its replay there), seconds; null when idle. */
  replayLagSeconds: number | null;
}

export interface Slot {
  name: string;
  type: string;
  plugin: string | null;
  database: string | null;
  active: boolean;
  restartLsn: string | null;
  /** WAL kept on disk for this slot, in bytes. */
  retainedBytes: number | null;
  walStatus: string | null;
}

export interface Publication {
  name: string;
  allTables: boolean;
  operations: string[];
  tables: string[];
}

export interface Subscription {
  name: string;
  enabled: boolean;
  publications: string[];
  /** disabled · stopped (no worker) · initializing (tables still copying) · streaming. */
  state: 'disabled' | 'stopped' | 'initializing' | 'streaming';
  workerRunning: boolean;
  receivedLsn: string | null;
  lastMessageAt: string | null;
  /** Tables per sync state: init, data copy, finished copy, synchronised, ready. */
  tables: Record<string, number>;
}

export interface MissingChunks {
  publication: string;
  hypertable: string;
  chunks: string[];
}

export interface ReplicationStatus {
  role: 'primary' | 'standby';
  standbys: Standby[];
  slots: Slot[];
  publications: Publication[];
  subscriptions: Subscription[];
  /** TimescaleDB only: chunks a publication naming their hypertable lacks. */
  missingChunks?: MissingChunks[];
  /** The gateway's own read replicas (DATABASE_READ_URL), when configured. */
  readReplicas?: ReplicaStatus[];
  /** Parts that could not be read, with the reason (usually a missing privilege). */
  errors?: Record<string, string>;
}

const display = (schema: string, name: string) => (schema === 'public' ? name : `${schema}.${name}`);

const STANDBYS_SQL = `
SELECT application_name, client_addr::text AS client_addr, state, sync_state, sent_lsn::text AS sent_lsn, replay_lsn::text AS replay_lsn,
       CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 END AS replay_lag_bytes,
       extract(epoch FROM replay_lag)::float8 AS replay_lag_seconds
FROM pg_stat_replication ORDER BY application_name, pid`;

const SLOTS_SQL = `
SELECT slot_name, slot_type, plugin, database, active, restart_lsn::text AS restart_lsn, wal_status,
       pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, restart_lsn)::float8 AS retained_bytes
FROM pg_replication_slots ORDER BY slot_name`;

const PUBLICATIONS_SQL = `
SELECT p.pubname, p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate,
       COALESCE((SELECT array_agg(CASE WHEN t.schemaname = 'public' THEN t.tablename::text ELSE t.schemaname || '.' || t.tablename END ORDER BY t.schemaname, t.tablename)
                 FROM pg_publication_tables t WHERE t.pubname = p.pubname), '{}') AS tables
FROM pg_publication p ORDER BY p.pubname`;

// Subscriptions of the current database; subconninfo (it may hold a password) is never read.
const SUBSCRIPTIONS_SQL = `
SELECT s.subname, s.subenabled, s.subpublications AS publications,
       st.pid IS NOT NULL AS worker_running, st.received_lsn::text AS received_lsn, st.last_msg_receipt_time AS last_msg,
       (SELECT json_object_agg(x.state, x.n) FROM (SELECT r.srsubstate::text AS state, count(*)::int AS n FROM pg_subscription_rel r WHERE r.srsubid = s.oid GROUP BY 1) x) AS rel_states
FROM pg_subscription s
LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY s.subname`;

// Chunks of a hypertable that a publication naming the hypertable does not list.
export const MISSING_CHUNKS_SQL = `
SELECT pt.pubname AS publication, h.hypertable_schema, h.hypertable_name, c.chunk_schema, c.chunk_name
FROM pg_publication_tables pt
JOIN timescaledb_information.hypertables h ON h.hypertable_schema = pt.schemaname AND h.hypertable_name = pt.tablename
JOIN timescaledb_information.chunks c ON c.hypertable_schema = h.hypertable_schema AND c.hypertable_name = h.hypertable_name
WHERE NOT EXISTS (
  SELECT 1 FROM pg_publication_tables p2 WHERE p2.pubname = pt.pubname AND p2.schemaname = c.chunk_schema AND p2.tablename = c.chunk_name
)
ORDER BY 1, 2, 3, 4, 5`;

const REL_STATES: Record<string, string> = { i: 'init', d: 'copying', f: 'copied', s: 'synchronized', r: 'ready' };

export async function readReplicationStatus(
  db: DbSession,
  hasTimescale: boolean,
  readReplicas?: ReplicaStatus[]
): Promise<ReplicationStatus> {
  const errors: Record<string, string> = {};
  const part = async <T>(name: string, read: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await read();
    } catch (err) {
      errors[name] = (err as Error).message;
      return fallback;
    }
  };
  const [{ standby }] = (await db.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby')).rows;

  const standbys = await part(
    'standbys',
    async () =>
      (await db.query<Record<string, any>>(STANDBYS_SQL)).rows.map((r): Standby => ({
        applicationName: r.application_name,
        clientAddr: r.client_addr,
        state: r.state,
        syncState: r.sync_state,
        sentLsn: r.sent_lsn,
        replayLsn: r.replay_lsn,
        replayLagBytes: r.replay_lag_bytes,
        replayLagSeconds: r.replay_lag_seconds,
      })),
    []
  );

  const slots = await part(
    'slots',
    async () =>
      (await db.query<Record<string, any>>(SLOTS_SQL)).rows.map((r): Slot => ({
        name: r.slot_name,
        type: r.slot_type,
        plugin: r.plugin,
        database: r.database,
        active: r.active,
        restartLsn: r.restart_lsn,
        retainedBytes: r.retained_bytes,
        walStatus: r.wal_status,
      })),
    []
  );

  const publications = await part(
    'publications',
    async () =>
      (await db.query<Record<string, any>>(PUBLICATIONS_SQL)).rows.map((r): Publication => ({
        name: r.pubname,
        allTables: r.puballtables,
        operations: (['insert', 'update', 'delete', 'truncate'] as const).filter((op) => r[`pub${op}`]),
        tables: textArray(r.tables),
      })),
    []
  );

  const subscriptions = await part(
    'subscriptions',
    async () =>
      (await db.query<Record<string, any>>(SUBSCRIPTIONS_SQL)).rows.map((r): Subscription => {
        const states = Object.fromEntries(
          Object.entries((r.rel_states ?? {}) as Record<string, number>).map(([k, n]) => [REL_STATES[k] ?? k, n])
        );
        const notReady = Object.entries(states).some(([k, n]) => k !== 'ready' && n > 0);
        return {
          name: r.subname,
          enabled: r.subenabled,
          publications: textArray(r.publications),
          state: !r.subenabled ? 'disabled' : !r.worker_running ? 'stopped' : notReady ? 'initializing' : 'streaming',
          workerRunning: r.worker_running,
          receivedLsn: r.received_lsn,
          lastMessageAt: r.last_msg instanceof Date ? r.last_msg.toISOString() : (r.last_msg ?? null),
          tables: states,
        };
      }),
    []
  );

  const status: ReplicationStatus = {
    role: standby ? 'standby' : 'primary',
    standbys,
    slots,
    publications,
    subscriptions,
  };
  if (hasTimescale) {
    status.missingChunks = await part('missingChunks', () => readMissingChunks(db), []);
  }
  if (readReplicas) {
    status.readReplicas = readReplicas;
  }
  if (Object.keys(errors).length) {
    status.errors = errors;
  }
  return status;
}

export async function readMissingChunks(db: DbSession, publication?: string): Promise<MissingChunks[]> {
  const rows = (
    await db.query<{
      publication: string;
      hypertable_schema: string;
      hypertable_name: string;
      chunk_schema: string;
      chunk_name: string;
    }>(MISSING_CHUNKS_SQL)
  ).rows.filter((r) => publication === undefined || r.publication === publication);
  const grouped = new Map<string, MissingChunks>();
  for (const r of rows) {
    const hypertable = display(r.hypertable_schema, r.hypertable_name);
    const key = `${r.publication}\u0000${hypertable}`;
    const entry = grouped.get(key) ?? { publication: r.publication, hypertable, chunks: [] };
    entry.chunks.push(`${r.chunk_schema}.${r.chunk_name}`);
    grouped.set(key, entry);
  }
  return [...grouped.values()];
}

/** A text[] as either driver returns it: an array, or PostgreSQL's `{a,b}` text. */
function textArray(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.map(String);
  }
  if (typeof value !== 'string' || value === '{}') {
    return [];
  }
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .map((s) => s.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1'));
}

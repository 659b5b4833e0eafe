import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { withHeldClient } from './pg-held-client';
import { createPreparedStatements, type StatementConfig } from './pg-prepared-statements';
import type {
  Db,
  DbResult,
  DbSession,
  DbTextResult,
  NotificationConnection,
  NotificationEvents,
  QueryOptions,
  TransactionOptions,
} from './types';
import { VALUE_PARSERS } from '../pg/value-parsers';

export interface PostgresDbOptions {
  connectionString: string;
  statementTimeoutMs: number;
  /** Upper bound on waiting for a free pooled connection (or a new one). */
  connectionTimeoutMs?: number;
  maxConnections?: number;
  onError?: (err: Error) => void;
  /**
   * A read replica: every session starts with default_transaction_read_only, and every
   * transaction is `BEGIN READ ONLY`, whatever the caller asked for.
   */
  readOnly?: boolean;
  /**
   * Named prepared statements kept per connection for queries marked `prepare`
   * (pg-prepared-statements.ts); 0 = none, every statement parsed and planned each time.
   */
  preparedStatements?: number;
}

// Per-pool type parsers: no process-wide pg.types mutation, so several pools (tests,
// the benchmark's direct client) can coexist with their own rules.
// Types pg's own parsers turn into the same values the embedded driver gives (numbers,
// booleans, JSON, simple arrays). Everything else stays PostgreSQL text, as on PGlite
// (pg would otherwise make objects of intervals, points, …).
const PG_DEFAULT_PARSED = new Set([16, 21, 23, 26, 114, 700, 701, 3802, 1000, 1005, 1007, 1009, 1015, 1021, 1022]);
const identity = (text: string) => text;

const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (format === 'binary') {
      return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
    }
    const own = VALUE_PARSERS[oid];
    if (own) {
      return own;
    }
    return PG_DEFAULT_PARSED.has(oid) ? pg.types.getTypeParser(oid, 'text') : identity;
  },
} as pg.CustomTypesConfig;

/**
 * pg sends a Date parameter in the process's local time zone, so a `timestamp` (without time
 * zone) or `date` parameter would depend on TZ. As UTC ISO text it means the same instant for
 * timestamptz and the UTC wall time for timestamp — how this driver reads them back, and how
 * the embedded driver sends them.
 */
const bindable = (params: readonly unknown[] | undefined): unknown[] | undefined =>
  params?.map((p) => (p instanceof Date && !Number.isNaN(p.getTime()) ? p.toISOString() : p));

/** `queryText`: every column stays the text PostgreSQL sent. */
const textOnly = { getTypeParser: () => identity } as pg.CustomTypesConfig;

/** Sessions handed to transaction callbacks remember their client, for COPY. */
const clientOfSession = new WeakMap<DbSession, pg.PoolClient>();

export function createPostgresDb(options: PostgresDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    statement_timeout: options.statementTimeoutMs > 0 ? options.statementTimeoutMs : undefined,
    application_name: 'timescaledb-gateway',
    // Text times without an offset mean UTC, whatever the server's default zone is.
    options: options.readOnly ? '-c TimeZone=UTC -c default_transaction_read_only=on' : '-c TimeZone=UTC',
    types: typeParsers,
    // A server that vanished without closing its connections is noticed, not waited for forever.
    keepAlive: true,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  // Held clients have a listener of their own (pg-held-client.ts).
  pool.on('error', (err) => options.onError?.(err));
  const prepared = createPreparedStatements(options.preparedStatements ?? 0);

  const asResult = <R>(res: pg.QueryResult): DbResult<R> => ({
    rows: res.rows as R[],
    fields: (res.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    rowCount: res.rowCount ?? res.rows.length,
  });

  const run = async <R>(
    client: pg.Pool | pg.PoolClient,
    sql: string,
    params?: readonly unknown[]
  ): Promise<DbResult<R>> => asResult<R>(await client.query(sql, bindable(params)));

  /**
   * One statement: on any pooled client (pg-pool guards it), or on a held one when it may be
   * cancelled or is to run by name (a name lives on one connection).
   */
  const oneStatement = (options: QueryOptions | undefined, config: StatementConfig): Promise<pg.QueryResult> =>
    options?.signal || options?.prepare
      ? withHeldClient(pool, options.signal, (client) =>
          options.prepare ? prepared.query(client, config) : client.query(config as pg.QueryConfig)
        )
      : pool.query(config as pg.QueryConfig);

  return {
    driver: 'postgres',
    query: async (sql, params, queryOptions) =>
      asResult(await oneStatement(queryOptions, { text: sql, values: bindable(params) })),

    async queryText(sql, params, queryOptions): Promise<DbTextResult> {
      const res = await oneStatement(queryOptions, {
        text: sql,
        values: bindable(params),
        rowMode: 'array',
        types: textOnly,
      });
      const fields = (res.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
      return {
        fields,
        rows: res.rows as unknown as Array<Array<string | null>>,
        parsers: fields.map((f) => typeParsers.getTypeParser(f.dataTypeID, 'text') as (text: string) => unknown),
      };
    },

    transaction<T>(fn: (tx: DbSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
      return withHeldClient(pool, opts.signal, async (client, discard) => {
        let held = true;
        // A session used after its transaction ended would run on someone else's connection.
        const tx: DbSession = {
          query: (sql, params) =>
            held ? run(client, sql, params) : Promise.reject(new Error('This transaction has already ended')),
        };
        clientOfSession.set(tx, client);
        try {
          await client.query(opts.readOnly || options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
          if (opts.statementTimeoutMs !== undefined) {
            await client.query(`SELECT set_config('statement_timeout', $1, true)`, [
              String(Math.max(0, Math.floor(opts.statementTimeoutMs))),
            ]);
          }
          if (opts.role) {
            await client.query(`SELECT set_config('role', $1, true)`, [opts.role]);
          }
          const result = await fn(tx);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackFailed) {
            discard(rollbackFailed as Error); // the connection itself failed: do not return it to the pool
          }
          throw err;
        } finally {
          held = false;
          clientOfSession.delete(tx);
          if (opts.resetSession) {
            // A session that cannot be reset may still hold what the transaction left: close it.
            await client.query('DISCARD ALL').then(
              () => prepared.forget(client),
              (err: Error) => discard(err)
            );
          }
        }
      });
    },

    async copyFrom(tx, copySql, csv) {
      const client = clientOfSession.get(tx);
      if (!client) {
        throw new Error('copyFrom needs a session from this database’s transaction()');
      }
      const sink = client.query(copyFromStdin(copySql));
      await pipeline(Readable.from(csv as Iterable<string | Buffer>), sink);
      return sink.rowCount;
    },

    openNotificationConnection: (events) => openPgNotificationConnection(options, events),

    async close() {
      await pool.end();
    },
  };
}

/**
 * A client of its own, outside the pool: a pooled connection is reset and handed to others,
 * which would drop its LISTENs. TCP keepalive lets a silently cut link end in an error.
 */
async function openPgNotificationConnection(
  options: PostgresDbOptions,
  events: NotificationEvents
): Promise<NotificationConnection> {
  const client = new pg.Client({
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    application_name: 'timescaledb-gateway-listen',
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  let lost = false;
  const lose = (err: Error) => {
    if (lost) {
      return;
    }
    lost = true;
    events.onLost(err);
  };
  client.on('notification', (msg) => events.onNotification(msg.channel, msg.payload ?? ''));
  client.on('error', lose);
  client.on('end', () => lose(new Error('The notification connection ended')));
  await client.connect();
  return {
    listen: async (channel) => void (await client.query(`LISTEN ${client.escapeIdentifier(channel)}`)),
    unlisten: async (channel) => void (await client.query(`UNLISTEN ${client.escapeIdentifier(channel)}`)),
    async close() {
      lost = true;
      await client.end().catch(() => undefined);
    },
  };
}

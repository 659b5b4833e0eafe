import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '../config';
import type { Db, DbSession } from '../db/types';
import { createReaderPool, isLoginRefused, readerConnectionString, type ReaderPool } from '../db/reader-pool';
import { ApiError } from '../errors';
import { mapDatabaseError } from '../db/sqlstate';
import { checkReaderLogin, grantReaderReads, provisionReaderRole, ReaderRoleRefused } from './reader-role';
import { scramSha256Verifier } from './scram-verifier';
import { createFunctionPolicy } from './function-policy';
import type { FunctionCall } from '../sql/read-only-statement';

/**
 * Where SQL-mode statements run, and as whom:
 * - PostgreSQL with READER_DATABASE_URL: a pool logged in as that login, used as is (it is
 *   only checked to be a plain reader).
 * - PostgreSQL without it: a pool logged in as READER_ROLE, a role the gateway creates or
 *   updates on first use, with a fresh random password (needs CREATEROLE or superuser).
 * - Embedded: one connection and one (superuser) user, so `SET LOCAL ROLE` to READER_ROLE;
 *   a function that changes settings could switch back, which only the statement check stops.
 * Always in `BEGIN READ ONLY` with `SET LOCAL statement_timeout`, and on both the session is
 * reset after the transaction (`DISCARD ALL`: advisory locks, cursors, LISTEN, prepared
 * statements, temporary tables, settings), so nothing a statement left in it outlives the
 * request; a session whose reset fails is closed instead of reused.
 * The functions a statement calls are checked against the catalog first (function-policy.ts),
 * the same on both databases.
 */
export interface SqlModeSession {
  readonly driver: Db['driver'];
  /** Throws a 400 naming the first function SQL mode may not call (function-policy.ts); `tx`: from `run`. */
  checkFunctions(calls: readonly FunctionCall[], tx: DbSession): Promise<void>;
  /** Runs `fn` in a read-only transaction as the reader, then resets the session. */
  run<T>(fn: (tx: DbSession) => Promise<T>, statementTimeoutMs: number, signal?: AbortSignal): Promise<T>;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Where SQL-mode queries run (see query/sql-mode-session.ts). */
    sqlMode: SqlModeSession;
  }
}

// Grants are refreshed after a "permission denied for table" at most this often (it touches
// every table's ACL, so a stream of refused queries must not turn into a stream of GRANTs).
const REGRANT_INTERVAL_MS = 10_000;
const TABLE_DENIED = /permission denied for (table|view|materialized view|foreign table|relation|schema)/i;

function unavailable(message: string, cause?: unknown): ApiError {
  const reason = cause instanceof Error ? ` (${cause.message})` : '';
  return new ApiError('sql_mode_unavailable', message + reason, { setting: 'READER_DATABASE_URL' });
}

export function createSqlModeSession(config: GatewayConfig, db: Db, onError?: (err: Error) => void): SqlModeSession {
  const role = config.readerRole;
  const managed = !config.readerDatabaseUrl;
  let lastGrant = 0;
  const functionPolicy = createFunctionPolicy(config.sqlAllowedFunctions);

  const provision = async (verifier: string | null) => {
    try {
      // Two gateways creating the role at the same moment: the loser's retry finds it made.
      await provisionReaderRole(db, role, verifier).catch((err: { code?: string }) => {
        if (err?.code === '42710' || err?.code === '23505' || err?.code === '40001') {
          return provisionReaderRole(db, role, verifier);
        }
        throw err;
      });
    } catch (err) {
      if (err instanceof ReaderRoleRefused) {
        throw unavailable(err.message);
      }
      if ((err as { code?: unknown }).code === '42501') {
        throw unavailable(
          `SQL mode needs a database login that can only read, and the gateway's database user may not create or update the role "${role}" (READER_ROLE): ` +
            "set READER_DATABASE_URL to a connection string of a non-superuser login that can only SELECT, or give the gateway's user CREATEROLE",
          err
        );
      }
      const mapped = mapDatabaseError(err);
      if (mapped?.code === 'database_unavailable') {
        throw mapped;
      }
      throw unavailable(
        `SQL mode could not set up its read-only role "${role}" (READER_ROLE); set READER_DATABASE_URL to a read-only login instead`,
        err
      );
    }
  };

  let readerPool: ReaderPool | null = null;
  /** One reader pool per read replica, opened on first use; the login is the primary pool's. */
  const replicaReaders = new Map<string, ReaderPool>();
  /** The managed reader's password since the primary pool last logged in (it replicates to the standbys). */
  let managedPassword: string | null = null;
  let roleReady: Promise<void> | null = null;
  const ensureEmbeddedRole = () => {
    roleReady ??= provision(null).catch((err) => {
      roleReady = null; // try again on the next query
      throw err;
    });
    return roleReady;
  };

  if (db.driver === 'postgres') {
    const configuredUrl = config.readerDatabaseUrl;
    const databaseUrl = config.databaseUrl!;
    readerPool = createReaderPool({
      login: async () => {
        if (configuredUrl) {
          return configuredUrl;
        }
        const password = randomBytes(24).toString('base64url');
        await provision(scramSha256Verifier(password));
        managedPassword = password;
        try {
          return readerConnectionString(databaseUrl, role, password);
        } catch (err) {
          throw unavailable('SQL mode cannot derive its login from DATABASE_URL: set READER_DATABASE_URL', err);
        }
      },
      check: async (session) => {
        try {
          await checkReaderLogin(session);
        } catch (err) {
          if (err instanceof ReaderRoleRefused) {
            throw unavailable(err.message);
          }
          throw err;
        }
      },
      statementTimeoutMs: config.statementTimeoutMs,
      connectionTimeoutMs: config.connectionTimeoutMs,
      // SQL mode is the rarer, heavier path: a few connections, not a second full pool.
      maxConnections: Math.min(config.poolSize, 4),
      onError,
    });
  }

  const replicaReader = (replicaUrl: string): ReaderPool => {
    let pool = replicaReaders.get(replicaUrl);
    if (!pool) {
      pool = createReaderPool({
        login: async () => {
          if (config.readerDatabaseUrl) {
            const reader = new URL(config.readerDatabaseUrl);
            const user = reader.searchParams.get('user') ?? decodeURIComponent(reader.username);
            const password = reader.searchParams.get('password') ?? decodeURIComponent(reader.password);
            return readerConnectionString(replicaUrl, user, password);
          }
          // Not logged in on the primary yet: refused here, so this read is served by the primary.
          if (!managedPassword) {
            throw Object.assign(new Error('the SQL-mode reader has not logged in on the primary yet'), {
              code: '28000',
            });
          }
          return readerConnectionString(replicaUrl, role, managedPassword);
        },
        check: async (session) => void (await checkReaderLogin(session)),
        statementTimeoutMs: config.statementTimeoutMs,
        connectionTimeoutMs: Math.min(config.connectionTimeoutMs, 2000),
        maxConnections: Math.min(config.poolSize, 4),
        onError,
      });
      replicaReaders.set(replicaUrl, pool);
    }
    return pool;
  };

  const runOnce = <T>(
    fn: (tx: DbSession) => Promise<T>,
    statementTimeoutMs: number,
    signal?: AbortSignal
  ): Promise<T> => {
    if (readerPool) {
      const options = { readOnly: true, statementTimeoutMs, signal, resetSession: true };
      const onPrimary = () => readerPool!.transaction(fn, options);
      const routed = db.routeRead
        ? db.routeRead(onPrimary, (url) => replicaReader(url).transaction(fn, options), signal)
        : onPrimary();
      return routed.catch((err: unknown) => {
        if (isLoginRefused(err)) {
          const hint = !managed
            ? 'check READER_DATABASE_URL'
            : `check that pg_hba.conf lets the role "${role}" log in, or set READER_DATABASE_URL`;
          throw unavailable(`The SQL-mode login was refused: ${hint}`, err);
        }
        throw err;
      });
    }
    return ensureEmbeddedRole().then(() =>
      db.transaction(fn, { readOnly: true, statementTimeoutMs, role, signal, resetSession: true })
    );
  };

  return {
    driver: db.driver,

    checkFunctions: (calls, tx) => functionPolicy.check(calls, tx),

    async run(fn, statementTimeoutMs, signal) {
      try {
        return await runOnce(fn, statementTimeoutMs, signal);
      } catch (err) {
        if (!isTableDenied(err)) {
          throw err;
        }
        // A table created since by another user has no grant yet: grant what the gateway's user
        // may pass on, and try once more. Only reading is repeated, and table access is checked
        // when the statement starts, so the retry almost never repeats work.
        if (managed && Date.now() - lastGrant > REGRANT_INTERVAL_MS) {
          lastGrant = Date.now();
          await grantReaderReads(db, role).catch(() => undefined);
          try {
            return await runOnce(fn, statementTimeoutMs, signal);
          } catch (again) {
            if (!isTableDenied(again)) {
              throw again;
            }
            throw denied(again, managed ? role : null);
          }
        }
        throw denied(err, managed ? role : null);
      }
    },

    async close() {
      await readerPool?.close();
      await Promise.all([...replicaReaders.values()].map((p) => p.close()));
    },
  };
}

/** 403 for a table the reader may not read, saying to whom to grant it. `role` null: READER_DATABASE_URL's login. */
function denied(err: unknown, role: string | null): ApiError {
  const who = role ? `the role "${role}"` : 'the READER_DATABASE_URL login';
  const grantee = role ? `"${role}"` : 'that login';
  return new ApiError(
    'forbidden',
    `SQL mode reads as ${who}, which may not read this: ${(err as Error).message}. To make it readable in SQL mode: GRANT SELECT ON … TO ${grantee} (and USAGE on its schema).`,
    { sqlstate: '42501' }
  );
}

function isTableDenied(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '42501' && typeof e.message === 'string' && TABLE_DENIED.test(e.message);
}

import type { Db, DbSession, TransactionOptions } from './types';
import { createPostgresDb } from './pg-driver';

/**
 * A small pg pool that logs in as SQL mode's reader, apart from the gateway's own pool, so a
 * raw SQL statement runs in a session whose *login* is the reader: there is no more privileged
 * role behind it to switch back to. It opens on first use. When the server refuses the login
 * (another gateway sharing the role has just replaced the password, say), it asks for the login
 * again and retries: the statement never started, so retrying is safe.
 */

export interface ReaderPoolOptions {
  /** The reader's connection string; called at first use and again after a refused login. */
  login: () => Promise<string>;
  /** Runs once on each new pool before it serves: e.g. checks the login holds no privilege. */
  check?: (session: DbSession) => Promise<void>;
  statementTimeoutMs: number;
  connectionTimeoutMs: number;
  maxConnections: number;
  onError?: (err: Error) => void;
}

export interface ReaderPool {
  transaction<T>(fn: (tx: DbSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/** Logins refused (28000 / 28P01), or a database that is not there for this login (3D000). */
export function isLoginRefused(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000');
}

const ATTEMPTS = 3;
// A replaced pool may still be finishing statements; it is ended a little later (and at close).
const RETIRE_AFTER_MS = 30_000;

export function createReaderPool(options: ReaderPoolOptions): ReaderPool {
  let live: Db | null = null;
  let opening: Promise<Db> | null = null;
  let closed = false;
  const retired = new Set<Db>();

  const open = (): Promise<Db> => {
    if (live) {
      return Promise.resolve(live);
    }
    opening ??= (async () => {
      try {
        const connectionString = await options.login();
        const db = createPostgresDb({
          connectionString,
          statementTimeoutMs: options.statementTimeoutMs,
          connectionTimeoutMs: options.connectionTimeoutMs,
          maxConnections: options.maxConnections,
          onError: options.onError,
        });
        try {
          if (options.check) {
            await db.transaction((tx) => options.check!(tx), { readOnly: true });
          }
        } catch (err) {
          await db.close().catch(() => undefined);
          throw err;
        }
        if (closed) {
          await db.close();
          throw new Error('The SQL-mode reader pool is closed');
        }
        live = db;
        return db;
      } finally {
        opening = null;
      }
    })();
    return opening;
  };

  const retire = (db: Db) => {
    if (live !== db) {
      return;
    } // someone already replaced it
    live = null;
    retired.add(db);
    setTimeout(() => {
      retired.delete(db);
      void db.close().catch(() => undefined);
    }, RETIRE_AFTER_MS).unref();
  };

  return {
    async transaction(fn, txOptions) {
      for (let attempt = 1; ; attempt++) {
        let db: Db | undefined;
        try {
          db = await open();
          return await db.transaction(fn, txOptions);
        } catch (err) {
          if (closed || attempt >= ATTEMPTS || !isLoginRefused(err)) {
            throw err;
          }
          if (db) {
            retire(db);
          }
        }
      }
    },

    async close() {
      closed = true;
      const pools = [...retired, ...(live ? [live] : [])];
      live = null;
      retired.clear();
      await Promise.all(pools.map((db) => db.close().catch(() => undefined)));
    },
  };
}

/**
 * The gateway's DATABASE_URL with the reader's user and password instead: same host, port,
 * database and options. Set as `user` / `password` query parameters, which the pg driver
 * prefers over the URL's user part and which also work for socket URLs without a host.
 */
export function readerConnectionString(databaseUrl: string, user: string, password: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a URL (postgres://…), so the reader login cannot be derived from it');
  }
  url.username = '';
  url.password = '';
  url.searchParams.set('user', user);
  url.searchParams.set('password', password);
  return url.toString();
}

import type { Db, DbResult, DbSession, NotificationConnection, NotificationEvents, TransactionOptions } from './types';
import { quoteIdent } from '../pg/quote';
import { SerialQueue } from './serial-queue';
import { EmbeddedThread, type ThreadEnd } from './embedded-thread';
import { closedError, type WireResult } from './embedded-messages';
import { looksLikeRead, needsWritableRun } from './read-statement';

/**
 * The embedded TimescaleDB: PostgreSQL compiled to WASM (PGlite), one connection, run in a
 * worker thread of its own (embedded-worker.ts). PGlite executes a statement synchronously on
 * the thread that calls it and has no way to cancel one (statement_timeout never fires in WASM),
 * so in the gateway's own thread a long statement would freeze every request, /health included.
 * In the worker it only holds the database, and this driver enforces the statement timeout by
 * ending the worker: the caller gets SQLSTATE 57014 (as from PostgreSQL → 504), a new worker
 * opens the same data dir, and queued work continues on it.
 *
 * Which statements may be stopped: only those PostgreSQL itself keeps from writing, i.e. those
 * in a READ ONLY transaction: read-only transactions (SQL mode, builder queries, value lists)
 * and single statements that look like reads (data GETs, the catalog). The worker's session
 * runs those READ ONLY by default; one that writes after all is refused there (25006), rolled
 * back, and run again as a write. Ending the worker then is a crash with nothing half-written:
 * what was committed is in the WAL and data files, and recovery at the next open finds it
 * (checked on a persistent data dir). A statement that may write is never stopped, however long
 * it takes: a kill in the middle of a write would leave PGlite's files to crash recovery, a risk
 * no timeout is worth. Clients write only through POST data (bounded by the body limit);
 * SQL mode cannot write at all.
 *
 * `dataDir` undefined means in memory, inside the worker: a restart then starts from an empty
 * database (the extension is created again, everything else is gone); `onFreshDatabase` puts
 * back what the gateway set up at start, and the loss is logged.
 *
 * Everything runs through one queue, and a transaction holds the queue until it ends, so
 * concurrent requests never interleave statements inside someone else's transaction.
 *
 * An aborted `signal` (the HTTP client went away): work still queued never starts, and a read
 * that is running is stopped like one past the timeout, by ending the worker; the caller gets
 * the signal's reason. In memory (`dataDir` undefined) a running read is left to finish (or
 * to time out) instead: a restart would empty the database because a client closed a tab.
 */

/** The subset of a pino logger the driver uses (Fastify's `app.log` fits). */
export interface EmbeddedDbLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EmbeddedDbOptions {
  /** PGlite's data dir; undefined → in memory. */
  dataDir: string | undefined;
  /** Timeout of statements that bring none of their own (STATEMENT_TIMEOUT_MS); 0 → none. */
  statementTimeoutMs?: number;
  log?: EmbeddedDbLog;
  /** Runs on the new, empty database after an in-memory one restarted, before queued work continues. */
  onFreshDatabase?: (db: Db) => Promise<void>;
}

const threadOf = new WeakMap<Db, () => Promise<EmbeddedThread | null>>();

/** The worker thread currently serving an embedded database (null while none is): for tests. */
export function embeddedThreadOf(db: Db): Promise<EmbeddedThread | null> {
  return threadOf.get(db)?.() ?? Promise.resolve(null);
}

export async function createEmbeddedDb(options: EmbeddedDbOptions): Promise<Db> {
  const { dataDir, log } = options;
  const defaultTimeoutMs = options.statementTimeoutMs ?? 0;
  const queue = new SerialQueue();
  let closed = false;
  /** Notification connections, each tied to the worker it LISTENs on: a new worker has no LISTENs. */
  const listeners = new Map<NotificationEvents, EmbeddedThread>();

  const onEnd = (thread: EmbeddedThread, end: ThreadEnd) => {
    for (const [events, on] of listeners) {
      if (on !== thread) {
        continue;
      }
      listeners.delete(events);
      events.onLost(new Error(`The embedded database's worker ended (${end})`));
    }
    if (closed) {
      return;
    }
    if (end === 'timeout' || end === 'cancelled') {
      const why =
        end === 'timeout'
          ? 'A statement ran past the statement timeout'
          : 'The client of a running statement went away';
      log?.warn({ dataDir: dataDir ?? 'memory://' }, `${why}: the embedded database was stopped and is restarting`);
      // Right away, while the caller hears of the timeout: the next statement waits for it.
      serving = reopen(thread);
      serving.catch(() => undefined);
    } else if (end === 'lost' && thread.opened) {
      log?.error(
        { dataDir: dataDir ?? 'memory://' },
        'The embedded database stopped unexpectedly; it restarts on the next statement'
      );
    }
  };

  const open = async (): Promise<EmbeddedThread> => {
    const thread = new EmbeddedThread({ dataDir }, onEnd, (channel, payload) => {
      for (const [events, on] of listeners) {
        if (on === thread) {
          events.onNotification(channel, payload);
        }
      }
    });
    await thread.ready;
    return thread;
  };

  const reopen = async (old: EmbeddedThread | null): Promise<EmbeddedThread> => {
    // Never two PGlite instances on the same files: the old worker is gone before the new one opens.
    if (old) {
      await old.exited;
    }
    const started = Date.now();
    const thread = await open();
    if (closed) {
      await thread.close();
      throw closedError();
    }
    if (!dataDir) {
      log?.warn(
        { dataDir: 'memory://' },
        'The embedded database is in memory (DATA_DIR=memory://) and restarted empty: every table and row written since the gateway started is gone'
      );
      if (options.onFreshDatabase) {
        await options
          .onFreshDatabase(directDb(thread))
          .catch((err: unknown) => log?.error({ err }, 'Setting up the restarted in-memory database failed'));
      }
    }
    log?.info({ ms: Date.now() - started }, 'The embedded database is serving again');
    return thread;
  };

  let serving: Promise<EmbeddedThread> = Promise.resolve(await open());

  /** The thread to run on: the serving one, or a new one when it is gone (lost, or failed to start). */
  const live = async (): Promise<EmbeddedThread> => {
    if (closed) {
      throw closedError();
    }
    const current = serving;
    const thread = await current.catch(() => null);
    if (thread?.alive) {
      return thread;
    }
    if (serving !== current) {
      return live();
    } // replaced meanwhile (a timeout restart)
    serving = reopen(thread);
    serving.catch(() => undefined);
    return serving;
  };

  // Whether an abort may end a running read (see the header).
  const stoppable = dataDir !== undefined;
  const queued = <T>(signal: AbortSignal | undefined, job: (thread: EmbeddedThread) => Promise<T>): Promise<T> =>
    queue.run(async () => {
      signal?.throwIfAborted();
      return job(await live());
    });

  const db: Db = {
    driver: 'embedded',
    query: (sql, params, queryOptions) => {
      const signal = queryOptions?.signal;
      return queued(signal, (thread) =>
        runStatement(thread, sql, params, defaultTimeoutMs, stoppable ? signal : undefined)
      );
    },
    transaction: (fn, opts = {}) =>
      queued(opts.signal, (thread) => runTransaction(thread, fn, opts, defaultTimeoutMs, stoppable)),
    // PGlite is one session: LISTEN runs on it between other work (through the queue, so never
    // inside someone's transaction, whose ROLLBACK would undo it), and the session hears its own
    // NOTIFYs, from triggers included, when they commit.
    async openNotificationConnection(events): Promise<NotificationConnection> {
      const thread = await queue.run(live);
      listeners.set(events, thread);
      const onThread = (sql: string) =>
        queue.run(async () => {
          if (listeners.get(events) !== thread) {
            throw new Error('This notification connection is closed');
          }
          await thread.request({ op: 'write', sql });
        });
      return {
        listen: (channel) => onThread(`LISTEN ${quoteIdent(channel)}`),
        unlisten: (channel) => onThread(`UNLISTEN ${quoteIdent(channel)}`),
        async close() {
          if (listeners.get(events) !== thread) {
            return;
          }
          await onThread('UNLISTEN *').catch(() => undefined);
          listeners.delete(events);
        },
      };
    },
    close() {
      return queue.run(async () => {
        if (closed) {
          return;
        }
        closed = true;
        const thread = await serving.catch(() => null);
        await thread?.close();
      });
    },
  };
  threadOf.set(db, () => serving.catch(() => null));
  return db;
}

/** A Db straight on one thread, no queue and no timeout: for `onFreshDatabase`, while the queue waits for it. */
function directDb(thread: EmbeddedThread): Db {
  return {
    driver: 'embedded',
    query: (sql, params) => runStatement(thread, sql, params, 0),
    transaction: (fn, opts = {}) => runTransaction(thread, fn, opts, 0, false),
    close: async () => undefined,
  };
}

function toResult<R>(wire: WireResult): DbResult<R> {
  return { rows: wire.rows as R[], fields: wire.fields, rowCount: wire.rowCount };
}

/**
 * One statement outside a transaction. A read runs in the session's READ ONLY default, where it
 * may be stopped at the timeout; refused there because it writes after all (a SELECT of a
 * function that writes), it is rolled back and runs again as a write, which is never stopped.
 */
async function runStatement<R>(
  thread: EmbeddedThread,
  sql: string,
  params: readonly unknown[] | undefined,
  timeoutMs: number,
  signal?: AbortSignal
): Promise<DbResult<R>> {
  if (looksLikeRead(sql)) {
    try {
      return toResult<R>(await thread.request({ op: 'read', sql, params }, timeoutMs, signal));
    } catch (err) {
      if (!needsWritableRun(err)) {
        throw err;
      }
    }
  }
  return toResult<R>(await thread.request({ op: 'write', sql, params }));
}

async function runTransaction<T>(
  thread: EmbeddedThread,
  fn: (tx: DbSession) => Promise<T>,
  opts: TransactionOptions,
  defaultTimeoutMs: number,
  stoppable: boolean
): Promise<T> {
  const statementTimeoutMs = opts.statementTimeoutMs ?? defaultTimeoutMs;
  // Only a READ ONLY transaction may be stopped (see the header). `begin` always sets
  // statement_timeout, so the transaction has run a query before the caller's first
  // statement and can no longer be switched to READ WRITE.
  const killAfterMs = opts.readOnly ? statementTimeoutMs : 0;
  const killSignal = opts.readOnly && stoppable ? opts.signal : undefined;
  await thread.request(
    { op: 'begin', readOnly: opts.readOnly === true, statementTimeoutMs, role: opts.role },
    killAfterMs,
    killSignal
  );
  let open = true;
  // A session used after its transaction ended would bypass the queue: refuse it.
  const tx: DbSession = {
    query: async (sql, params) => {
      if (!open) {
        throw new Error('This transaction has already ended');
      }
      opts.signal?.throwIfAborted();
      return toResult(await thread.request({ op: 'query', sql, params }, killAfterMs, killSignal));
    },
    queryMany: async (sql, params) => {
      if (!open) {
        throw new Error('This transaction has already ended');
      }
      opts.signal?.throwIfAborted();
      return toResult(await thread.request({ op: 'query', sql, params, packed: true }, killAfterMs, killSignal));
    },
    queryWithinCost: async (plan, sql, params, rowsOptions) => {
      if (!open) {
        throw new Error('This transaction has already ended');
      }
      opts.signal?.throwIfAborted();
      const wire = await thread.request(
        {
          op: 'queryWithinCost',
          planSql: plan.sql,
          planParams: plan.params,
          limits: plan.limits,
          sql,
          params,
          packed: rowsOptions?.many,
        },
        killAfterMs,
        killSignal
      );
      return wire.refused ? { refused: wire.refused } : { result: toResult(wire) };
    },
  };
  try {
    const result = await fn(tx);
    // A transaction whose worker was stopped cannot commit: this rejects with 25P02.
    await thread.request({ op: 'query', sql: 'COMMIT' });
    return result;
  } catch (err) {
    if (thread.alive) {
      await thread.request({ op: 'query', sql: 'ROLLBACK' }).catch(() => undefined);
    }
    throw err;
  } finally {
    open = false;
    // Still inside the queue, so no one else's statement sees the session before it is reset;
    // a session that cannot be reset is ended (the database reopens on the next statement).
    if (opts.resetSession && thread.alive) {
      await thread.request({ op: 'reset' }).catch(() => thread.kill());
    }
  }
}

import type pg from 'pg';
import { cancelRunningStatement } from './pg-cancel';

/**
 * Runs `work` on a client checked out of `pool`, and looks after the client while it is held.
 *
 * A lost connection: pg-pool takes its own 'error' listener off a client it hands out, and a pg
 * Client with none turns the loss of its server (57P01 when the server shuts down, ECONNRESET
 * when it crashes) into an uncaught exception that ends the process. Here the held client has a
 * listener: the work fails at once with that error (a 503 for the caller, even while it was
 * between statements, waiting for a request body), and the client goes back to the pool with
 * the error, so the pool discards it instead of handing it out again.
 *
 * An abort of `signal` (the HTTP client went away): the statement running on the client is
 * cancelled on the server, the work fails with the signal's reason, and the client is discarded
 * too, so that a cancel arriving late can never hit the next statement someone else runs on it.
 * A transaction cancelled this way is rolled back by the server: nothing of it stays.
 */
export async function withHeldClient<T>(
  pool: pg.Pool,
  signal: AbortSignal | undefined,
  work: (client: pg.PoolClient, discard: (err: Error) => void) => Promise<T>
): Promise<T> {
  signal?.throwIfAborted();
  const client = await checkOut(pool, signal);
  let failure: unknown;
  let fail!: (err: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const onError = (err: Error) => {
    failure ??= err;
    fail(err);
  };
  const onAbort = () => {
    if (failure !== undefined) {
      return;
    }
    failure = signal!.reason;
    void cancelRunningStatement(client);
    fail(signal!.reason);
  };
  client.on('error', onError);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // `discard`: the work found the client unfit to serve again (its ROLLBACK failed, say).
    const working = work(client, (err) => (failure ??= err));
    // When the connection failed or the request was aborted, the work still settles later.
    working.catch(() => undefined);
    return await Promise.race([working, failed]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    client.off('error', onError);
    // The pool puts its own idle listener back on release, whatever the outcome.
    client.release(failure === undefined ? undefined : failure instanceof Error ? failure : new Error(String(failure)));
  }
}

/**
 * `pool.connect()` that an abort stops waiting for (a full pool makes a request wait up to
 * DB_CONNECT_TIMEOUT_MS); a client that arrives after the abort goes straight back.
 */
function checkOut(pool: pg.Pool, signal: AbortSignal | undefined): Promise<pg.PoolClient> {
  const connecting = pool.connect();
  if (!signal) {
    return connecting;
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      connecting.then(
        (client) => client.release(),
        () => undefined
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    connecting.then(
      (client) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) {
          return;
        } // rejected already; released above
        resolve(client);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      }
    );
  });
}

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
  let client: pg.PoolClient | undefined;
  let failure: unknown;
  let fail!: (err: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const onError = (err: Error) => {
    failure ??= err;
    fail(err);
  };
  // One listener from the wait for a connection to the end of the work (each listener on an
  // AbortSignal is costly next to a short read): before the client arrives an abort only stops
  // the wait, after it the statement running on the client is cancelled.
  const onAbort = () => {
    if (failure !== undefined) {
      return;
    }
    failure = signal!.reason;
    if (client) {
      void cancelRunningStatement(client);
    }
    fail(signal!.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    client = await checkOut(pool, failed);
    client.on('error', onError);
    try {
      // `discard`: the work found the client unfit to serve again (its ROLLBACK failed, say).
      const working = work(client, (err) => (failure ??= err));
      // When the connection failed or the request was aborted, the work still settles later.
      working.catch(() => undefined);
      return await Promise.race([working, failed]);
    } finally {
      client.off('error', onError);
      // The pool puts its own idle listener back on release, whatever the outcome.
      client.release(
        failure === undefined ? undefined : failure instanceof Error ? failure : new Error(String(failure))
      );
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * `pool.connect()` that an abort (`failed` rejecting) stops waiting for (a full pool makes a
 * request wait up to DB_CONNECT_TIMEOUT_MS); a client that arrives after the abort goes straight back.
 */
async function checkOut(pool: pg.Pool, failed: Promise<never>): Promise<pg.PoolClient> {
  const connecting = pool.connect();
  try {
    return await Promise.race([connecting, failed]);
  } catch (err) {
    connecting.then(
      (client) => client.release(),
      () => undefined
    );
    throw err;
  }
}

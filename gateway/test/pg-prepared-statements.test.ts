import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createPostgresDb } from '../src/db/pg-driver';
import { statementName } from '../src/db/pg-prepared-statements';
import type { Db } from '../src/db/types';
import { createScratchDatabase, dropScratchDatabase, probePostgres } from './helpers/postgres-server';
import { NO_SHEDDING, TOKENS, TOKEN_SPEC } from './helpers/test-context';

// Named statements live in one PostgreSQL session: a pool of one connection shows them all.
const A = 'SELECT a FROM shapes WHERE a > $1 ORDER BY a';
const B = 'SELECT a + 1 AS a FROM shapes WHERE a > $1 ORDER BY a';
const C = 'SELECT a + 2 AS a FROM shapes WHERE a > $1 ORDER BY a';
const STAR = 'SELECT * FROM shapes WHERE a > $1 ORDER BY a';

/** The gateway's named statements on the one connection, with how often each has run. */
async function held(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query<{ name: string; runs: number }>(
    `SELECT name, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE name LIKE 'gw\\_%'`
  );
  return new Map(rows.map((r) => [r.name, r.runs]));
}

const probe = await probePostgres();

describe('named prepared statements on PostgreSQL', { skip: probe.ok ? false : 'PostgreSQL unreachable' }, () => {
  let scratch: { name: string; url: string };
  let db: Db;
  const read = (sql: string) => db.query<Record<string, unknown>>(sql, [0], { prepare: true });

  before(async () => {
    scratch = await createScratchDatabase('gw_prepared');
    db = createPostgresDb({
      connectionString: scratch.url,
      statementTimeoutMs: 0,
      maxConnections: 1,
      preparedStatements: 2,
    });
    await db.query('CREATE TABLE shapes (a int)');
    await db.query('INSERT INTO shapes VALUES (1), (2)');
  });
  after(async () => {
    await db?.close();
    await dropScratchDatabase(scratch.name);
  });

  it('prepares a statement once per connection and runs it again by name', async () => {
    await db.query('DEALLOCATE ALL');
    for (let i = 0; i < 3; i++) {
      assert.deepEqual((await read(A)).rows, [{ a: 1 }, { a: 2 }]);
    }
    assert.deepEqual([...(await held(db))], [[statementName(A), 3]]);
    const text = await db.queryText!(A, [1], { prepare: true });
    assert.deepEqual(text.rows, [['2']], 'the same statement serves the text read');
    assert.equal((await held(db)).get(statementName(A)), 4);
  });

  it('keeps no more than its bound, deallocating the least recently used', async () => {
    await read(A);
    await read(B);
    await read(A); // A is now more recent than B
    await read(C);
    assert.deepEqual([...(await held(db)).keys()].sort(), [statementName(A), statementName(C)].sort());
    assert.deepEqual((await read(B)).rows, [{ a: 2 }, { a: 3 }], 'an evicted statement is prepared again');
    assert.deepEqual([...(await held(db)).keys()].sort(), [statementName(B), statementName(C)].sort());
  });

  it('re-runs a statement whose table changed shape, and prepares the new shape', async () => {
    assert.deepEqual((await read(STAR)).rows, [{ a: 1 }, { a: 2 }]);
    await db.query(`ALTER TABLE shapes ADD COLUMN b text DEFAULT 'x'`);
    try {
      const changed = await read(STAR);
      assert.deepEqual(changed.rows, [
        { a: 1, b: 'x' },
        { a: 2, b: 'x' },
      ]);
      assert.deepEqual(
        changed.fields.map((f) => f.name),
        ['a', 'b']
      );
      assert.equal((await held(db)).has(statementName(STAR)), false, 'the stale statement is deallocated');
      await read(STAR);
      assert.equal((await held(db)).get(statementName(STAR)), 1, 'prepared anew with the new shape');
    } finally {
      await db.query('ALTER TABLE shapes DROP COLUMN b');
    }
  });

  it('forgets its statements when a transaction resets the session (DISCARD ALL)', async () => {
    await read(A);
    assert.ok((await held(db)).has(statementName(A)));
    await db.transaction((tx) => tx.query('SELECT 1'), { resetSession: true });
    assert.equal((await held(db)).size, 0);
    await read(A);
    // Prepared again by name (had the driver still counted on it, it would have run unnamed).
    assert.equal((await held(db)).get(statementName(A)), 1);
  });

  it('runs a statement the server lost unnamed, then prepares it again', async () => {
    await read(A);
    await db.query('DEALLOCATE ALL'); // as a transaction-pooling proxy's other server connection would be
    assert.deepEqual((await read(A)).rows, [{ a: 1 }, { a: 2 }]);
    assert.equal((await held(db)).size, 0);
    await read(A);
    assert.equal((await held(db)).get(statementName(A)), 1);
  });

  it('prepares nothing for queries not marked, nor with the cache off', async () => {
    await db.query('DEALLOCATE ALL');
    await db.query(A, [0]);
    await db.query(A, [0], { signal: new AbortController().signal });
    assert.equal((await held(db)).size, 0);
    const off = createPostgresDb({ connectionString: scratch.url, statementTimeoutMs: 0, maxConnections: 1 });
    try {
      await off.query(A, [0], { prepare: true });
      assert.equal((await held(off)).size, 0);
    } finally {
      await off.close();
    }
  });
});

describe('REST reads by name', { skip: probe.ok ? false : 'PostgreSQL unreachable' }, () => {
  let scratch: { name: string; url: string };
  let app: FastifyInstance;
  let base: string;

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  const start = async (env: Record<string, string>) => {
    app = await buildApp(
      loadConfig({
        GATEWAY_TOKENS: TOKEN_SPEC,
        LOG_LEVEL: 'silent',
        PORT: '0',
        DATABASE_URL: scratch.url,
        DB_POOL_SIZE: '1',
        ...NO_SHEDDING,
        ...env,
      })
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };

  before(async () => {
    scratch = await createScratchDatabase('gw_prepared_rest');
    const setup = createPostgresDb({ connectionString: scratch.url, statementTimeoutMs: 0, maxConnections: 1 });
    await setup.query('CREATE TABLE sightings (time timestamptz NOT NULL, place text, n int)');
    await setup.query(
      `INSERT INTO sightings VALUES ('2025-01-01T00:00:00Z', 'north', 1), ('2025-01-01T00:01:00Z', 'south', 2)`
    );
    await setup.close();
  });
  after(async () => {
    await app?.close();
    await dropScratchDatabase(scratch.name);
  });

  it('plans one statement for the same read with other values', async () => {
    await start({});
    for (const place of ['north', 'south', 'north']) {
      const res = await get(`/timescaledb/data/sightings?place=eq.${place}`);
      assert.equal(res.status, 200);
      assert.deepEqual(
        (res.body as Array<{ place: string }>).map((r) => r.place),
        [place]
      );
    }
    const runs = [...(await held(app.db)).values()];
    assert.deepEqual(runs, [3], 'one named statement, run three times');
    await app.close();
  });

  it('DB_PREPARED_STATEMENTS=0 prepares nothing', async () => {
    await start({ DB_PREPARED_STATEMENTS: '0' });
    assert.equal((await get('/timescaledb/data/sightings?place=eq.north')).status, 200);
    assert.equal((await held(app.db)).size, 0);
  });
});

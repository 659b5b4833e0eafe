import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createEmbeddedDb, embeddedThreadOf, type EmbeddedDbLog } from '../src/db/embedded-driver';
import type { Db } from '../src/db/types';
import { NO_SHEDDING, TOKEN_SPEC, TOKENS, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';

/**
 * The embedded TimescaleDB runs in a worker thread, and the driver stops a read that runs past
 * the statement timeout by ending that worker. These tests run on a persistent data dir in a
 * temporary folder (what a restart keeps) and, at the end, in memory (what it cannot keep).
 */

const TIMEOUT_MS = 400;
// Worker start-up after a kill, HTTP and a busy machine: generous, but far below "forever".
const SLACK_MS = 2500;
/** Reopening the embedded database on a data dir (a loaded machine takes its time). */
const REOPEN_MS = 15_000;
const FOREVER = 'SELECT count(*) AS n FROM generate_series(1, 1e10)';
const RANGE = { from: '2024-01-01T00:00:00Z', to: '2024-01-02T00:00:00Z' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Ctx = Pick<TestContext, 'baseUrl' | 'token'>;

function sqlQuery(ctx: Ctx, rawSql: string) {
  return api(ctx as TestContext, '/api/v1/query', {
    body: { range: RANGE, queries: [{ refId: 'A', mode: 'sql', format: 'table', rawSql }] },
  });
}

async function listen(app: FastifyInstance): Promise<Ctx> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { baseUrl: `http://127.0.0.1:${port}`, token: TOKENS.admin };
}

/** A log that keeps its lines, to check what the driver says. */
function captureLog(): EmbeddedDbLog & { lines: string[] } {
  const lines: string[] = [];
  const keep = (_obj: object, msg: string) => void lines.push(msg);
  return { lines, info: keep, warn: keep, error: keep };
}

describe('the embedded database on a persistent data dir', () => {
  let dir: string;
  let app: FastifyInstance;
  let ctx: Ctx;
  let db: Db;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsgw-embedded-'));
    app = await buildApp(
      loadConfig({
        GATEWAY_TOKENS: TOKEN_SPEC,
        LOG_LEVEL: 'silent',
        ...NO_SHEDDING,
        DATA_DIR: dir,
        STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS),
      })
    );
    db = app.db;
    await db.query(`CREATE TABLE kept (id int PRIMARY KEY, time timestamptz NOT NULL, value double precision)`);
    await db.query(`CREATE SEQUENCE kept_ids START 1000`);
    await db.query(`CREATE VIEW slow_series AS SELECT time, value FROM kept, pg_sleep(5)`);
    await app.catalog.refresh();
    ctx = await listen(app);
  });

  after(async () => {
    await app?.close();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers a SQL-mode query past the timeout with 504 in about the timeout, while /health answers', async () => {
    // Committed before the kill, in a write transaction and as a single statement.
    await db.transaction(async (tx) =>
      tx.query(
        `INSERT INTO kept SELECT i, '2024-01-01'::timestamptz + i * interval '1 min', i FROM generate_series(1, 100) i`
      )
    );
    await db.query(`INSERT INTO kept VALUES (101, '2024-01-01T12:00:00Z', 101)`);

    const started = Date.now();
    let slowEnded = 0;
    const slow = sqlQuery(ctx, FOREVER).finally(() => (slowEnded = Date.now()));
    await sleep(100);
    // Queued behind the slow statement: they run on the new worker once it is open.
    const queued = Array.from({ length: 5 }, () => db.query<{ n: number }>('SELECT count(*)::int AS n FROM kept'));
    const health = await fetch(`${ctx.baseUrl}/health`);
    const healthEnded = Date.now();
    assert.equal(health.status, 200);
    const res = await slow;
    assert.ok(healthEnded < slowEnded, '/health answered while the statement was running');
    for (const q of await Promise.all(queued)) {
      assert.equal(q.rows[0].n, 101);
    }

    assert.equal(res.status, 200, res.text);
    const a = res.body.results.A;
    assert.equal(a.status, 504, JSON.stringify(a));
    assert.equal(a.errorCode, 'statement_timeout');
    const took = slowEnded - started;
    assert.ok(took >= TIMEOUT_MS - 50 && took < TIMEOUT_MS + SLACK_MS, `answered after ${took} ms`);
  });

  it('keeps serving after the restart, with the data committed before it', async () => {
    const res = await sqlQuery(ctx, 'SELECT count(*)::int AS n, max(id) AS last FROM kept');
    assert.equal(res.body.results.A.error, undefined, res.text);
    assert.deepEqual(res.body.results.A.frames[0].data.values, [[101], [101]]);
    assert.equal((await api(ctx as TestContext, '/ready', { token: null })).status, 200);
  });

  it('stops a slow data GET and a slow builder query the same way', async () => {
    const get = await api(ctx as TestContext, '/timescaledb/data/slow_series');
    assert.equal(get.status, 504, get.text);
    assert.equal(get.body.error, 'statement_timeout');

    const started = Date.now();
    const res = await api(ctx as TestContext, '/api/v1/query', {
      body: {
        range: RANGE,
        queries: [
          {
            refId: 'B',
            mode: 'builder',
            table: 'slow_series',
            timeColumn: 'time',
            metrics: [{ column: 'value', aggregation: 'avg' }],
          },
        ],
      },
    });
    assert.equal(res.body.results.B.status, 504, res.text);
    // The builder query first waits for the worker that the GET's timeout replaced to open.
    const took = Date.now() - started;
    assert.ok(took < TIMEOUT_MS + SLACK_MS + REOPEN_MS, `answered after ${took} ms`);
    // A kept row, written before either kill, read through the same route.
    const row = await api(ctx as TestContext, '/timescaledb/data/kept?id=eq.7');
    assert.equal(row.status, 200, row.text);
    assert.equal(row.body[0].value, 7);
  });

  it('never stops a write, however long it runs', async () => {
    const before = await embeddedThreadOf(db);
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_sleep($1)', [(TIMEOUT_MS * 2) / 1000]);
      await tx.query(`INSERT INTO kept VALUES (200, now(), 200)`);
    });
    // A single statement that writes, and a SELECT that turns out to write (it runs again as a write).
    await db.query(`INSERT INTO kept SELECT 201, now(), 201 FROM pg_sleep($1)`, [(TIMEOUT_MS * 2) / 1000]);
    const { rows } = await db.query<{ id: number | string }>(`SELECT nextval('kept_ids') AS id`);
    assert.equal(rows[0].id, 1000);
    assert.equal(await embeddedThreadOf(db), before, 'the same worker serves: nothing was stopped');
    const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kept WHERE id IN (200, 201)');
    assert.equal(count.rows[0].n, 2);
  });

  it('fails the rest of a stopped transaction (25P02) and does not commit it', async () => {
    let second: unknown;
    await assert.rejects(
      db.transaction(
        async (tx) => {
          await assert.rejects(tx.query(FOREVER), (err: { code?: string }) => err.code === '57014');
          second = await tx.query('SELECT 1').catch((err: unknown) => err);
        },
        { readOnly: true, statementTimeoutMs: 200 }
      ),
      (err: { code?: string }) => err.code === '25P02'
    );
    assert.equal((second as { code?: string }).code, '25P02');
    assert.equal((await db.query<{ ok: number }>('SELECT 1 AS ok')).rows[0].ok, 1);
  });

  it('still serialises transactions: one holds the database until it ends', async () => {
    const events: string[] = [];
    const first = db.transaction(async (tx) => {
      events.push('first begins');
      await tx.query(`INSERT INTO kept VALUES (300, now(), 1)`);
      await sleep(150);
      await tx.query(`UPDATE kept SET value = 2 WHERE id = 300`);
      events.push('first ends');
    });
    await sleep(20);
    const second = db.transaction(
      async (tx) => {
        events.push('second begins');
        const { rows } = await tx.query<{ value: number }>('SELECT value FROM kept WHERE id = 300');
        events.push(`second reads ${rows[0]?.value}`);
      },
      { readOnly: true }
    );
    const single = db
      .query<{ value: number }>('SELECT value FROM kept WHERE id = 300')
      .then((r) => events.push(`single reads ${r.rows[0]?.value}`));
    await Promise.all([first, second, single]);
    assert.deepEqual(events, ['first begins', 'first ends', 'second begins', 'second reads 2', 'single reads 2']);
  });

  it('hands over values with their types across the thread boundary', async () => {
    const { rows } = await db.query(
      `SELECT '2024-03-01T10:00:00Z'::timestamptz AS tz, 7::int8 AS small, 9223372036854775807::int8 AS big, 1.5::numeric AS n,
              '2024-03-01'::date AS d, '{"a":[1,2]}'::jsonb AS j, '\\x0102'::bytea AS b, true AS flag, '1 day'::interval AS i`
    );
    const row = rows[0];
    assert.ok(row.tz instanceof Date);
    assert.equal((row.tz as Date).toISOString(), '2024-03-01T10:00:00.000Z');
    assert.equal(row.small, 7);
    assert.equal(row.big, '9223372036854775807');
    assert.equal(row.n, 1.5);
    assert.equal(row.d, '2024-03-01');
    assert.deepEqual(row.j, { a: [1, 2] });
    assert.ok(row.b instanceof Uint8Array);
    assert.deepEqual([...(row.b as Uint8Array)], [1, 2]);
    assert.equal(row.flag, true);
    assert.equal(row.i, '1 day');
  });

  it('keeps SQLSTATE and details of database errors', async () => {
    await assert.rejects(
      db.query('SELECT * FROM no_such_table'),
      (err: { code?: string; message?: string }) => err.code === '42P01' && /no_such_table/.test(err.message ?? '')
    );
    await assert.rejects(
      db.query(`INSERT INTO kept VALUES (1, now(), 1)`),
      (err: { code?: string; constraint?: string }) => err.code === '23505' && err.constraint === 'kept_pkey'
    );
  });
});

describe('the embedded database in memory', () => {
  it('restarts empty after a kill, says so, and runs the set-up again', async () => {
    const log = captureLog();
    const db = await createEmbeddedDb({
      dataDir: undefined,
      statementTimeoutMs: 200,
      log,
      onFreshDatabase: async (fresh) => void (await fresh.query('CREATE TABLE set_up_again (x int)')),
    });
    try {
      await db.query('CREATE TABLE written_by_a_client (x int)');
      await assert.rejects(db.query(FOREVER), (err: { code?: string }) => err.code === '57014');
      const { rows } = await db.query<{ client: string | null; setup: string | null }>(
        `SELECT to_regclass('written_by_a_client')::text AS client, to_regclass('set_up_again')::text AS setup`
      );
      assert.deepEqual(rows[0], { client: null, setup: 'set_up_again' });
      assert.ok(
        log.lines.some((l) => /memory:\/\/.*restarted empty.*gone/.test(l)),
        log.lines.join('\n')
      );
    } finally {
      await db.close();
    }
  });

  it('close() ends the worker', async () => {
    const db = await createEmbeddedDb({ dataDir: undefined });
    const thread = await embeddedThreadOf(db);
    assert.ok(thread?.alive);
    await db.close();
    assert.equal(thread.end, 'closed');
    await Promise.race([thread.exited, sleep(5000).then(() => assert.fail('the worker thread did not end'))]);
    await assert.rejects(db.query('SELECT 1'), /closed/);
  });

  it('a seeding gateway gets its demo data and SQL mode back after a restart', async () => {
    const app = await buildApp(
      loadConfig({
        GATEWAY_TOKENS: TOKEN_SPEC,
        LOG_LEVEL: 'silent',
        ...NO_SHEDDING,
        DATA_DIR: 'memory://',
        GATEWAY_SEED: 'true',
        STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS),
      })
    );
    try {
      const ctx = await listen(app);
      assert.equal((await sqlQuery(ctx, 'SELECT 1 AS ready')).body.results.A.error, undefined);
      await app.db.query('CREATE TABLE lost_on_restart (x int)');
      assert.equal((await sqlQuery(ctx, FOREVER)).body.results.A.errorCode, 'statement_timeout');
      const res = await sqlQuery(
        ctx,
        `SELECT current_user::text AS who, (SELECT count(DISTINCT sensor_id)::int FROM sensor_data) AS sensors, to_regclass('lost_on_restart')::text AS lost`
      );
      assert.equal(res.body.results.A.error, undefined, res.text);
      assert.deepEqual(res.body.results.A.frames[0].data.values, [['tsgw_reader'], [5], [null]]);
    } finally {
      await app.close();
    }
  });
});

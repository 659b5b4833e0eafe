import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';
import { createFixtures } from './helpers/fixtures';
import { createFunctionPolicy } from '../src/query/function-policy';
import { loadSqlParser } from '../src/pg/parse-sql';
import { checkReadOnlyStatement } from '../src/sql/read-only-statement';
import type { Db } from '../src/db/types';

const RANGE = { from: '2024-01-01T00:00:00Z', to: '2024-01-01T01:00:00Z' };

/** One SQL-mode query over HTTP: the query's own answer (frames, or error + errorCode + status). */
async function sqlQuery(ctx: TestContext, rawSql: string) {
  const res = await api(ctx, '/api/v1/query', {
    body: { range: RANGE, queries: [{ refId: 'A', mode: 'sql', format: 'table', rawSql }] },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.results.A as {
    error?: string;
    errorCode?: string;
    status?: number;
    frames?: Array<{ data: { values: unknown[][] } }>;
  };
}

async function refused(ctx: TestContext, rawSql: string, code: string, mentions: RegExp): Promise<void> {
  const a = await sqlQuery(ctx, rawSql);
  assert.equal(a.errorCode, code, `${rawSql}: ${a.error}`);
  assert.equal(a.status, 400, rawSql);
  assert.match(a.error ?? '', mentions, rawSql);
}

async function values(ctx: TestContext, rawSql: string): Promise<unknown[][]> {
  const a = await sqlQuery(ctx, rawSql);
  assert.equal(a.error, undefined, `${rawSql}: ${a.error}`);
  return a.frames![0].data.values;
}

async function count(db: Db, sql: string): Promise<number> {
  return Number((await db.query<{ n: unknown }>(sql)).rows[0].n);
}

async function setup(db: Db): Promise<void> {
  await db.query('CREATE TABLE kw (update int, insert int, delete int, "into" int)');
  await db.query('INSERT INTO kw VALUES (1, 2, 3, 4)');
  await db.query('CREATE TABLE hits (at timestamptz)');
  await db.query('CREATE SEQUENCE kw_seq');
  // Volatile and writing, volatile and harmless, immutable; and one called as a column (`k.touch`).
  await db.query(
    `CREATE FUNCTION log_hit() RETURNS int VOLATILE LANGUAGE sql AS 'INSERT INTO hits VALUES (now()) RETURNING 1'`
  );
  await db.query(`CREATE FUNCTION volatile_pick() RETURNS int VOLATILE LANGUAGE sql AS 'SELECT 7'`);
  await db.query(`CREATE FUNCTION double_it(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1 * 2'`);
  await db.query(
    `CREATE FUNCTION touch(kw) RETURNS int VOLATILE LANGUAGE sql AS 'INSERT INTO hits VALUES (now()) RETURNING 1'`
  );
}

forEachDatabase(
  (getCtx) => {
    const isPg = () => getCtx().driver === 'postgres';

    it('refuses lo_from_bytea however it is named, and no large object appears', async () => {
      const ctx = getCtx();
      const before = await count(ctx.db, 'SELECT count(*) AS n FROM pg_largeobject_metadata');
      await refused(
        ctx,
        `SELECT lo_from_bytea(0, 'x')`,
        'function_not_allowed',
        /pg_catalog\.lo_from_bytea\(\).*VOLATILE/
      );
      await refused(ctx, `SELECT pg_catalog.lo_from_bytea(0, 'x')`, 'function_not_allowed', /lo_from_bytea/);
      await refused(ctx, `SELECT * FROM "pg_catalog"."lo_from_bytea"(0, 'x')`, 'function_not_allowed', /lo_from_bytea/);
      await refused(
        ctx,
        `SELECT 1 WHERE EXISTS (SELECT LO_FROM_BYTEA(0, '\\x00'::bytea)) -- ;`,
        'function_not_allowed',
        /lo_from_bytea/
      );
      assert.equal(await count(ctx.db, 'SELECT count(*) AS n FROM pg_largeobject_metadata'), before);
    });

    it('refuses functions that lock, signal, read files, change settings or bump sequences', async () => {
      const ctx = getCtx();
      for (const [sql, name] of [
        ['SELECT pg_advisory_lock(1)', 'pg_advisory_lock'],
        ['SELECT pg_try_advisory_xact_lock(1)', 'pg_try_advisory_xact_lock'],
        ['SELECT pg_terminate_backend(pg_backend_pid())', 'pg_terminate_backend'],
        ['SELECT pg_cancel_backend(1)', 'pg_cancel_backend'],
        ['SELECT pg_reload_conf()', 'pg_reload_conf'],
        [`SELECT pg_read_file('/etc/hostname')`, 'pg_read_file'],
        [`SELECT set_config('role', 'postgres', true)`, 'set_config'],
        [`SELECT nextval('kw_seq')`, 'nextval'],
        [`SELECT pg_notify('c', 'x')`, 'pg_notify'],
        [`SELECT query_to_xml('SELECT pg_advisory_lock(1)', true, false, '')`, 'query_to_xml'],
        ['SELECT log_hit()', 'public.log_hit'],
        ['SELECT k.touch FROM kw k', 'public.touch'],
      ] as const) {
        await refused(ctx, sql, 'function_not_allowed', new RegExp(`${name.replace('.', '\\.')}\\(\\)`));
      }
      assert.equal(await count(ctx.db, 'SELECT count(*) AS n FROM hits'), 0);
      assert.equal(await count(ctx.db, `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'`), 0);
    });

    it('refuses dblink where it is installed', async (t) => {
      const ctx = getCtx();
      const installed = await ctx.db.query('CREATE EXTENSION IF NOT EXISTS dblink').then(
        () => true,
        () => false
      );
      if (!installed) {
        return t.skip('dblink is not available on this database');
      }
      await refused(
        ctx,
        `SELECT * FROM dblink('dbname=test', 'SELECT 1') AS t(x int)`,
        'function_not_allowed',
        /dblink\(\)/
      );
      await refused(ctx, `SELECT dblink_exec('dbname=test', 'SELECT 1')`, 'function_not_allowed', /dblink_exec\(\)/);
    });

    it('runs reading functions, aggregates, window functions, harmless volatile ones and the macros', async () => {
      const ctx = getCtx();
      const [[n], [doubled], [rank], [rnd], [uuid], [size]] = await values(
        ctx,
        `SELECT count(*)::int AS n, double_it(21) AS d, max(r)::int AS rk, random() < 1 AS rnd,
                length(gen_random_uuid()::text) AS u, pg_total_relation_size('metrics') >= 0 AS s
           FROM (SELECT row_number() OVER (ORDER BY time) AS r FROM metrics) w`
      );
      assert.deepEqual([n, doubled, rank, rnd, uuid, size], [18, 42, 18, true, 36, true]);
      const [buckets] = await values(
        ctx,
        'SELECT $__timeGroup(time, 20m) AS time, avg(value) AS v FROM metrics WHERE $__timeFilter(time) GROUP BY 1 ORDER BY 1'
      );
      assert.equal(buckets.length, 3);
      // Unknown functions are the database's to refuse.
      const unknown = await sqlQuery(ctx, 'SELECT no_such_function(1)');
      assert.notEqual(unknown.errorCode, 'function_not_allowed');
      assert.match(unknown.error ?? '', /does not exist/);
    });

    it('reads columns named update, insert, delete unquoted (into is reserved in PostgreSQL itself)', async () => {
      assert.deepEqual(
        await values(getCtx(), 'SELECT update, insert, delete, k.into FROM kw k WHERE update = 1 ORDER BY delete'),
        [[1], [2], [3], [4]]
      );
    });

    it('still refuses two statements, SELECT … INTO, FOR UPDATE and a writable CTE', async () => {
      const ctx = getCtx();
      await refused(ctx, 'SELECT 1; SELECT 2', 'multiple_statements', /exactly one statement/);
      await refused(ctx, 'SELECT 1 AS x INTO kw_copy', 'not_supported', /INTO creates a table/);
      await refused(ctx, 'SELECT * FROM kw FOR UPDATE', 'not_supported', /FOR UPDATE locks rows/);
      await refused(
        ctx,
        'WITH d AS (DELETE FROM kw RETURNING *) SELECT count(*) FROM d',
        'not_supported',
        /DELETE writes rows/
      );
      await refused(ctx, 'SELECT 1 +', 'invalid_sql', /does not parse/);
      assert.equal(await count(ctx.db, 'SELECT count(*) AS n FROM kw'), 1);
    });

    it('decides from the catalog: schema-qualified names, the search path for bare ones, and the setting', async () => {
      await loadSqlParser();
      const ctx = getCtx();
      const check = (policy: ReturnType<typeof createFunctionPolicy>, sql: string) =>
        ctx.app.sqlMode
          .run((tx) => policy.check(checkReadOnlyStatement(sql).functions, tx), 5000)
          .then(
            () => 'allowed',
            (err: { code?: string }) => err.code ?? String(err)
          );
      const strict = createFunctionPolicy();
      const extended = createFunctionPolicy(['volatile_pick', 'pg_catalog.nextval']);
      assert.equal(await check(strict, 'SELECT volatile_pick()'), 'function_not_allowed');
      assert.equal(await check(extended, 'SELECT volatile_pick()'), 'allowed');
      assert.equal(await check(extended, 'SELECT public.volatile_pick()'), 'allowed');
      assert.equal(await check(extended, `SELECT nextval('kw_seq')`), 'allowed');
      assert.equal(await check(extended, 'SELECT log_hit()'), 'function_not_allowed');
      assert.equal(
        await check(strict, 'SELECT public.double_it(1), pg_catalog.now(), pg_catalog.random(), to_timestamp(1)'),
        'allowed'
      );
      assert.equal(await check(strict, 'SELECT x.volatile_pick FROM kw x'), 'allowed'); // no one-argument volatile_pick
      assert.equal(await check(strict, 'SELECT no_such_schema.lo_from_bytea(0, $$x$$)'), 'allowed'); // the database says it does not exist
      if (ctx.timescale) {
        // Off the search path a volatile namesake does not count; named with its schema it does.
        assert.equal(await check(strict, 'SELECT _timescaledb_internal.to_timestamp(1)'), 'function_not_allowed');
      }
    });

    it('resets the pooled session after every request: no lock, setting or prepared statement survives', async () => {
      const ctx = getCtx();
      const sqlMode = ctx.app.sqlMode;
      // Past the statement check, straight on SQL mode's session, as a statement the policy missed would.
      const first = await sqlMode.run(async (tx) => {
        await tx.query('SELECT pg_advisory_lock(4242)');
        await tx.query(`SET tsgw.left_behind = 'yes'`);
        await tx.query('PREPARE left_behind AS SELECT 1');
        return (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      }, 5000);
      const second = await sqlMode.run(
        async (tx) =>
          (
            await tx.query<{ pid: number; setting: string | null; prepared: number; locks: number }>(
              `SELECT pg_backend_pid() AS pid, current_setting('tsgw.left_behind', true) AS setting,
                      (SELECT count(*)::int FROM pg_prepared_statements) AS prepared,
                      (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) AS locks`
            )
          ).rows[0],
        5000
      );
      // The same connection (a pool of one), and nothing of the first request on it.
      assert.equal(second.pid, first);
      assert.notEqual(second.setting, 'yes');
      assert.deepEqual([second.prepared, second.locks], [0, 0]);
      assert.equal(await count(ctx.db, `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'`), 0);
      if (!isPg()) {
        // The embedded session is the gateway's own: its read-only default and search path are back.
        const { rows } = await ctx.db.query<{ ro: string; path: string }>(
          `SELECT current_setting('default_transaction_read_only') AS ro, current_setting('search_path') AS path`
        );
        assert.equal(rows[0].ro, 'on');
        assert.match(rows[0].path, /public/);
      }
      assert.deepEqual(await values(ctx, 'SELECT count(*)::int AS n FROM metrics'), [[18]]);
    });
  },
  {
    // A pool of one: the second request of the reset test gets the first one's connection.
    env: { DB_POOL_SIZE: '1' },
    setup: async (db, info) => {
      await createFixtures(db, info.timescale);
      await setup(db);
    },
  }
);

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { readerConnectionString } from '../src/db/reader-pool';
import { scramSha256Verifier } from '../src/query/scram-verifier';
import { forEachDatabase, NO_SHEDDING, TOKEN_SPEC, TOKENS, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';
import { createFixtures, fixtureCounts } from './helpers/fixtures';

const RANGE = { from: '2024-01-01T00:00:00Z', to: '2024-01-01T01:00:00Z' };
const READER = 'tsgw_reader';

/** One SQL-mode query over HTTP (admin token, table format). */
function sqlQuery(ctx: Pick<TestContext, 'baseUrl' | 'token'>, rawSql: string) {
  return api(ctx as TestContext, '/api/v1/query', {
    body: { range: RANGE, queries: [{ refId: 'A', mode: 'sql', format: 'table', rawSql }] },
  });
}

/** The values of a successful SQL-mode answer; fails the test with the error otherwise. */
async function values(ctx: Pick<TestContext, 'baseUrl' | 'token'>, rawSql: string): Promise<unknown[][]> {
  const res = await sqlQuery(ctx, rawSql);
  assert.equal(res.status, 200, res.text);
  const a = res.body.results.A;
  assert.equal(a.error, undefined, `${rawSql}: ${a.error}`);
  return a.frames[0].data.values;
}

/** The error of a failing SQL-mode answer. */
async function failure(
  ctx: Pick<TestContext, 'baseUrl' | 'token'>,
  rawSql: string
): Promise<{ error: string; errorCode: string; status: number }> {
  const res = await sqlQuery(ctx, rawSql);
  assert.equal(res.status, 200, res.text);
  const a = res.body.results.A;
  assert.ok(a.error, `${rawSql} should fail`);
  return a;
}

/** A role name unique to this run: roles are shared by every database of the server. */
const runRole = (what: string) => `tsgw_t_${what}_${process.pid}_${randomBytes(3).toString('hex')}`;

/** A gateway on the test's database with other settings (e.g. logged in as another user), listening on HTTP. */
async function withGateway<T>(
  env: Record<string, string>,
  fn: (ctx: Pick<TestContext, 'baseUrl' | 'token'>) => Promise<T>
): Promise<T> {
  const app = await buildApp(
    loadConfig({
      GATEWAY_TOKENS: TOKEN_SPEC,
      LOG_LEVEL: 'silent',
      ...NO_SHEDDING,
      PORT: '0',
      DATA_DIR: 'memory://',
      ...env,
    })
  );
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return await fn({ baseUrl: `http://127.0.0.1:${port}`, token: TOKENS.admin });
  } finally {
    await app.close();
  }
}

/** The test database's URL with another user (trust authentication on the test server). */
function urlAs(databaseUrl: string, user: string): string {
  const url = new URL(databaseUrl);
  url.username = user;
  url.password = '';
  return url.toString();
}

forEachDatabase(
  (getCtx) => {
    const isPg = () => getCtx().driver === 'postgres';

    it('runs SQL mode as the reader; on PostgreSQL the session itself logs in as it', async () => {
      const [[current], [session], [currentSuper], [sessionSuper]] = await values(
        getCtx(),
        `SELECT current_user::text AS cu, session_user::text AS su,
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS current_super,
                (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS session_super`
      );
      assert.equal(current, READER);
      assert.equal(currentSuper, false);
      if (isPg()) {
        assert.equal(session, READER);
        assert.equal(sessionSuper, false);
      } else {
        // Embedded: one connection, one superuser, entered role via SET LOCAL ROLE (the documented limit).
        assert.notEqual(session, READER);
      }
      const [[canLogin], [attrs]] = await values(
        getCtx(),
        `SELECT rolcanlogin, rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls AS extra FROM pg_roles WHERE rolname = current_user`
      );
      assert.equal(canLogin, isPg());
      assert.equal(attrs, false);
    });

    it('refuses set_config and SET ROLE in SQL mode, and on PostgreSQL they could not switch back anyway', async () => {
      const { rows } = await getCtx().db.query<{ name: string }>(
        `SELECT rolname AS name FROM pg_roles WHERE rolsuper ORDER BY rolname LIMIT 1`
      );
      const superuser = rows[0].name;
      assert.equal(
        (await failure(getCtx(), `SELECT set_config('role', '${superuser}', true)`)).errorCode,
        'function_not_allowed'
      );
      assert.equal((await failure(getCtx(), `SELECT 1; SET ROLE ${superuser}`)).errorCode, 'multiple_statements');
      assert.equal((await failure(getCtx(), `SET ROLE ${superuser}`)).errorCode, 'statement_not_allowed');
      assert.equal(
        (await failure(getCtx(), `SELECT query_to_xml('SELECT 1', true, false, '')`)).errorCode,
        'function_not_allowed'
      );
      assert.equal(
        (await failure(getCtx(), `SELECT U&"set\\005Fconfig"('role', '${superuser}', true)`)).errorCode,
        'function_not_allowed'
      );
      assert.equal(
        (await failure(getCtx(), `SELECT "pg_catalog"."set_config"('role', '${superuser}', true)`)).errorCode,
        'function_not_allowed'
      );
      if (!isPg()) {
        return;
      }
      // Past the statement check, straight on SQL mode's session: the login has no role to become.
      const sqlMode = getCtx().app.sqlMode;
      const attempts = [
        `SELECT set_config('role', '${superuser}', true)`,
        `SET ROLE ${superuser}`,
        `SET SESSION AUTHORIZATION ${superuser}`,
        `SELECT query_to_xml('SELECT set_config(''role'', ''${superuser}'', true)', true, false, '')`,
      ];
      for (const sql of attempts) {
        await assert.rejects(
          sqlMode.run((tx) => tx.query(sql), 5000),
          /permission denied/,
          sql
        );
      }
      const after = await sqlMode.run(async (tx) => {
        await tx.query('RESET ROLE');
        return (await tx.query<{ u: string }>('SELECT current_user::text AS u')).rows[0].u;
      }, 5000);
      assert.equal(after, READER);
    });

    it('refuses COPY TO PROGRAM and writes, and the reader holds no write privilege; data unchanged', async () => {
      const before = await fixtureCounts(getCtx().db);
      for (const [rawSql, code] of [
        ["COPY (SELECT 1) TO PROGRAM 'touch /tmp/tsgw-pwned'", 'statement_not_allowed'],
        ["INSERT INTO metrics (time, device) VALUES (now(), 'x')", 'statement_not_allowed'],
        ['SELECT 1; SET TRANSACTION READ WRITE', 'multiple_statements'],
      ] as const) {
        assert.equal((await failure(getCtx(), rawSql)).errorCode, code, rawSql);
      }
      const [ins, upd, del, trunc, create] = await values(
        getCtx(),
        `SELECT has_table_privilege('metrics', 'INSERT') AS i, has_table_privilege('metrics', 'UPDATE') AS u,
                has_table_privilege('metrics', 'DELETE') AS d, has_table_privilege('metrics', 'TRUNCATE') AS t,
                has_schema_privilege('other', 'CREATE') AS c`
      );
      assert.deepEqual([ins, upd, del, trunc, create], [[false], [false], [false], [false], [false]]);
      const sqlMode = getCtx().app.sqlMode;
      const direct = [
        "INSERT INTO metrics (time, device) VALUES (now(), 'x')",
        'DELETE FROM secrets',
        'CREATE TABLE evil (x int)',
      ];
      if (isPg()) {
        direct.push("COPY (SELECT 1) TO PROGRAM 'touch /tmp/tsgw-pwned'");
      }
      for (const sql of direct) {
        await assert.rejects(
          sqlMode.run((tx) => tx.query(sql), 5000),
          /read-only transaction|permission denied|must be superuser/,
          sql
        );
      }
      assert.deepEqual(await fixtureCounts(getCtx().db), before);
    });

    it('reads tables and schemas the gateway creates after start (default privileges)', async () => {
      await values(getCtx(), 'SELECT 1 AS ready'); // the reader exists before the tables do
      const db = getCtx().db;
      await db.query('CREATE TABLE late_table (x int)');
      await db.query('INSERT INTO late_table VALUES (1), (2), (3)');
      await db.query('CREATE SCHEMA late_schema');
      await db.query(`CREATE TABLE late_schema.t (label text)`);
      await db.query(`INSERT INTO late_schema.t VALUES ('late')`);
      try {
        // Checked before reading, so no grant-on-failure can have helped.
        assert.deepEqual(
          await values(
            getCtx(),
            `SELECT has_table_privilege('late_table', 'SELECT') AS a, has_table_privilege('late_schema.t', 'SELECT') AS b`
          ),
          [[true], [true]]
        );
        assert.deepEqual(await values(getCtx(), 'SELECT sum(x)::int AS s FROM late_table'), [[6]]);
        assert.deepEqual(await values(getCtx(), 'SELECT label FROM late_schema.t'), [['late']]);
      } finally {
        await db.query('DROP SCHEMA late_schema CASCADE');
        await db.query('DROP TABLE late_table');
      }
    });

    it('runs pg_sleep on either database, and the statement timeout stops it', async () => {
      assert.deepEqual(await values(getCtx(), 'SELECT pg_sleep(0.01)::text AS slept'), [['']]);
      if (isPg()) {
        // The reader's session keeps the statement timeout.
        await assert.rejects(
          getCtx().app.sqlMode.run((tx) => tx.query('SELECT pg_sleep(2)'), 100),
          /statement timeout/
        );
        return;
      }
      // Embedded: the stop restarts the database, which in memory starts empty, so on a gateway of its own.
      await withGateway({ STATEMENT_TIMEOUT_MS: '200' }, async (ctx) => {
        const started = Date.now();
        const err = await failure(ctx, 'SELECT pg_sleep(5)');
        assert.equal(err.errorCode, 'statement_timeout');
        assert.equal(err.status, 504);
        assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`);
        // The reader role came back with the restarted database: SQL mode still reads as it.
        assert.deepEqual(await values(ctx, 'SELECT current_user::text AS cu'), [[READER]]);
      });
    });

    it('reads a table another user created after start (its grant is added on the first refusal)', async (t) => {
      if (!isPg()) {
        return t.skip('one user on the embedded database');
      }
      await values(getCtx(), 'SELECT 1 AS ready');
      const db = getCtx().db;
      const owner = runRole('owner');
      await db.query(`CREATE ROLE ${owner} NOLOGIN`);
      try {
        await db.query(`GRANT CREATE ON SCHEMA public TO ${owner}`);
        await db.transaction(
          async (tx) => {
            await tx.query('CREATE TABLE foreign_owned (x int)');
            await tx.query('INSERT INTO foreign_owned VALUES (40), (2)');
          },
          { role: owner }
        );
        assert.deepEqual(await values(getCtx(), `SELECT has_table_privilege('foreign_owned', 'SELECT') AS readable`), [
          [false],
        ]);
        assert.deepEqual(await values(getCtx(), 'SELECT sum(x)::int AS s FROM foreign_owned'), [[42]]);
      } finally {
        await db.query('DROP TABLE IF EXISTS foreign_owned');
        await db.query(`DROP OWNED BY ${owner}`);
        await db.query(`DROP ROLE ${owner}`);
      }
    });

    it('answers 503 naming READER_DATABASE_URL when the gateway may not create roles; other modes work', async (t) => {
      if (!isPg()) {
        return t.skip('PostgreSQL logins only');
      }
      const db = getCtx().db;
      const gatewayUser = runRole('gw');
      await db.query(`CREATE ROLE ${gatewayUser} LOGIN NOSUPERUSER NOCREATEROLE`);
      try {
        await db.query(`GRANT SELECT ON metrics TO ${gatewayUser}`);
        await withGateway({ DATABASE_URL: urlAs(getCtx().app.config.databaseUrl!, gatewayUser) }, async (limited) => {
          const err = await failure(limited, 'SELECT 1 AS x');
          assert.equal(err.status, 503);
          assert.equal(err.errorCode, 'sql_mode_unavailable');
          assert.match(err.error, /READER_DATABASE_URL/);
          assert.match(err.error, /CREATEROLE/);
          const builder = await api(limited as TestContext, '/api/v1/query', {
            body: {
              range: RANGE,
              queries: [
                {
                  refId: 'B',
                  mode: 'builder',
                  table: 'metrics',
                  format: 'table',
                  metrics: [{ column: 'value', aggregation: 'max' }],
                },
              ],
            },
          });
          assert.equal(builder.body.results.B.error, undefined, builder.text);
          assert.deepEqual(builder.body.results.B.frames[0].data.values, [[35]]);
        });
      } finally {
        await db.query(`DROP OWNED BY ${gatewayUser}`);
        await db.query(`DROP ROLE ${gatewayUser}`);
      }
    });

    it('uses READER_DATABASE_URL as is: a clear 403 until granted, and never a superuser login', async (t) => {
      if (!isPg()) {
        return t.skip('PostgreSQL logins only');
      }
      const db = getCtx().db;
      const databaseUrl = getCtx().app.config.databaseUrl!;
      const reader = runRole('reader');
      await db.query(`CREATE ROLE ${reader} LOGIN`);
      try {
        await withGateway(
          { DATABASE_URL: databaseUrl, READER_DATABASE_URL: urlAs(databaseUrl, reader) },
          async (gw) => {
            assert.deepEqual(await values(gw, 'SELECT session_user::text AS u'), [[reader]]);
            const denied = await failure(gw, 'SELECT count(*) FROM metrics');
            assert.equal(denied.status, 403);
            assert.equal(denied.errorCode, 'forbidden');
            assert.match(denied.error, /READER_DATABASE_URL login.*permission denied for table metrics.*GRANT SELECT/);
            await db.query(`GRANT SELECT ON metrics TO ${reader}`);
            assert.deepEqual(await values(gw, 'SELECT count(*)::int AS n FROM metrics'), [[18]]);
          }
        );
        await withGateway({ DATABASE_URL: databaseUrl, READER_DATABASE_URL: databaseUrl }, async (gw) => {
          const err = await failure(gw, 'SELECT 1 AS x');
          assert.equal(err.status, 503);
          assert.match(err.error, /is a superuser/);
        });
      } finally {
        await db.query(`DROP OWNED BY ${reader}`);
        await db.query(`DROP ROLE ${reader}`);
      }
    });
  },
  { setup: (db, info) => createFixtures(db, info.timescale) }
);

describe('the reader login', () => {
  it('stores a SCRAM-SHA-256 verifier that answers the RFC 7677 exchange', () => {
    // RFC 7677 section 3: user "user", password "pencil".
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const verifier = scramSha256Verifier('pencil', salt, 4096);
    const m = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
    assert.ok(m, verifier);
    assert.equal(m[1], 'W22ZaJ0SNY7soEsUEjb6gQ==');
    const storedKey = Buffer.from(m[2], 'base64');
    const serverKey = Buffer.from(m[3], 'base64');
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    // The server's proof of the RFC's exchange comes from ServerKey…
    assert.equal(
      createHmac('sha256', serverKey).update(authMessage).digest('base64'),
      '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='
    );
    // …and the client's proof checks out against StoredKey, as the server checks it.
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]));
    assert.deepEqual(createHash('sha256').update(clientKey).digest(), storedKey);
  });

  it('keeps host, port, database and options of DATABASE_URL, with the reader as user', () => {
    const url = new URL(
      readerConnectionString('postgres://gw:s3cret@db.example:6543/metrics?sslmode=require', 'tsgw_reader', 'p4ss')
    );
    assert.deepEqual(
      [
        url.username,
        url.password,
        url.hostname,
        url.port,
        url.pathname,
        url.searchParams.get('sslmode'),
        url.searchParams.get('user'),
        url.searchParams.get('password'),
      ],
      ['', '', 'db.example', '6543', '/metrics', 'require', 'tsgw_reader', 'p4ss']
    );
    const socket = new URL(readerConnectionString('postgres:///metrics?host=/var/run/postgresql', 'r', 'p'));
    assert.deepEqual(
      [socket.searchParams.get('host'), socket.searchParams.get('user'), socket.pathname],
      ['/var/run/postgresql', 'r', '/metrics']
    );
    assert.throws(() => readerConnectionString('host=x dbname=y', 'r', 'p'), /not a URL/);
  });
});

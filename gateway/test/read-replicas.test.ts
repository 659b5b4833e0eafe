import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { onPrimaryOnly } from '../src/db/primary-only';
import { ConfigError, loadConfig } from '../src/config';
import { createOwnCluster, createStandby, sleep, type OwnCluster } from './helpers/own-cluster';
import { NO_SHEDDING, TOKENS, TOKEN_SPEC } from './helpers/test-context';

/**
 * Read replicas on real clusters of the test's own: a primary and a `pg_basebackup -R` standby
 * streaming from it, on ports 55520 / 55521. Reads go to the standby while it keeps up; a paused
 * replay makes it fall behind and the primary serves; a stopped standby is skipped without an
 * error; a query the standby cancels (conflict with recovery) is answered by the primary.
 */

const PRIMARY_PORT = 55520;
const STANDBY_PORT = 55521;
const DB = 'rep_app';
const MAX_LAG_MS = 4000;
const STANDBY = `127.0.0.1:${STANDBY_PORT}/${DB}`;
const START = Date.parse('2026-11-20T00:00:00Z');

let primary: OwnCluster;
let standby: OwnCluster;
let app: FastifyInstance;
let baseUrl: string;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting until ${what}`);
    }
    await sleep(100);
  }
}

/** The standby has replayed everything the primary has written so far. */
async function caughtUp(): Promise<void> {
  const [{ lsn }] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  await until('the standby caught up', async () => {
    const [{ ok }] = await standby.query<{ ok: boolean }>(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [lsn]);
    return ok;
  });
}

async function get(path: string) {
  const res = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

async function builderQuery() {
  const res = await fetch(baseUrl + '/api/v1/query', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      range: { from: new Date(START).toISOString(), to: new Date(START + 86_400_000).toISOString() },
      intervalMs: 3_600_000,
      maxDataPoints: 100,
      queries: [
        {
          refId: 'A',
          mode: 'builder',
          table: 'rep_readings',
          format: 'time_series',
          metrics: [{ column: 'value', aggregation: 'count' }],
          bucket: '1d',
        },
      ],
    }),
  });
  const body: any = await res.json();
  return { status: res.status, headers: res.headers, body, frame: body.results?.A?.frames?.[0] };
}

const notices = (frame: any): Array<{ severity: string; text: string }> => frame?.schema?.meta?.notices ?? [];
const total = (frame: any): number => (frame.data.values[1] as number[]).reduce((s, v) => s + (v ?? 0), 0);

describe('read replicas', () => {
  before(async () => {
    primary = await createOwnCluster({
      port: PRIMARY_PORT,
      conf: ['wal_level = replica', 'max_wal_senders = 5', 'max_replication_slots = 5', 'autovacuum = off'],
    });
    await primary.query(`CREATE DATABASE ${DB}`);
    await primary.query(`CREATE TABLE rep_readings ("timestamp" timestamptz NOT NULL, value double precision)`, [], DB);
    await primary.query(
      `INSERT INTO rep_readings SELECT $1::timestamptz + i * interval '1 minute', i FROM generate_series(1, 12) i`,
      [new Date(START).toISOString()],
      DB
    );
    // A view that takes its time, to keep a statement running on the standby while the primary locks the table.
    await primary.query(
      `CREATE FUNCTION rep_pause(s float8) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(s); RETURN true; END $$`,
      [],
      DB
    );
    await primary.query(`CREATE VIEW rep_slow_readings AS SELECT * FROM rep_readings WHERE rep_pause(0.25)`, [], DB);
    // A standby cancels a conflicting query at once, so the conflict test needs no long wait.
    standby = await createStandby(primary, {
      port: STANDBY_PORT,
      slot: 'rep_standby',
      conf: ['hot_standby = on', 'max_standby_streaming_delay = 0'],
    });
    await until(
      'the standby streams',
      async () => (await primary.query(`SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'`)).length === 1
    );
    await caughtUp();
    app = await buildApp(
      loadConfig({
        GATEWAY_TOKENS: TOKEN_SPEC,
        LOG_LEVEL: 'silent',
        DATABASE_URL: primary.url(DB),
        DATABASE_READ_URL: standby.url(DB),
        READ_MAX_LAG: `${MAX_LAG_MS}ms`,
        STATEMENT_TIMEOUT_MS: '20000',
        // So SQL mode can ask the server it runs on whether it is a standby.
        SQL_ALLOWED_FUNCTIONS: 'pg_is_in_recovery',
        ...NO_SHEDDING,
      })
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  after(async () => {
    await app?.close();
    await standby?.destroy();
    await primary?.destroy();
  });

  it('serves data GETs and builder queries from the standby, and says so', async () => {
    const res = await get('/timescaledb/data/rep_readings?limit=100');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.length, 12);
    assert.equal(res.headers.get('x-served-by'), STANDBY);
    assert.ok(
      Number(res.headers.get('x-replica-lag')) < MAX_LAG_MS / 1000,
      res.headers.get('x-replica-lag') ?? 'no lag header'
    );
    const q = await builderQuery();
    assert.equal(q.headers.get('x-served-by'), STANDBY);
    assert.equal(total(q.frame), 12);
    assert.deepEqual(notices(q.frame), [], 'a replica that keeps up adds no notice');
  });

  it('runs SQL mode on the standby as the reader, once the reader has logged in on the primary', async () => {
    const sql = async () => {
      const res = await fetch(baseUrl + '/api/v1/query', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          range: { from: new Date(START).toISOString(), to: new Date(START + 86_400_000).toISOString() },
          queries: [
            {
              refId: 'A',
              mode: 'sql',
              format: 'table',
              rawSql:
                'SELECT pg_is_in_recovery() AS standby, current_user AS who, count(*)::int AS n FROM rep_readings',
            },
          ],
        }),
      });
      const body: any = await res.json();
      assert.equal(body.results.A.error, undefined, body.results.A.error);
      const values = body.results.A.frames[0].data.values;
      return { servedBy: res.headers.get('x-served-by'), standby: values[0][0], who: values[1][0], n: values[2][0] };
    };
    // The first query makes the reader's login on the primary; its password then replicates.
    const first = await sql();
    assert.equal(first.who, 'tsgw_reader');
    await caughtUp();
    const second = await sql();
    assert.deepEqual(second, { servedBy: STANDBY, standby: true, who: 'tsgw_reader', n: 12 });
  });

  it('reports the standby and the read replica in /api/v1/replication and /metrics', async () => {
    const status = await get('/api/v1/replication');
    assert.equal(status.status, 200, status.text);
    assert.equal(status.body.role, 'primary');
    const [physical] = status.body.standbys;
    assert.equal(physical.state, 'streaming');
    assert.match(physical.replayLsn, /^[0-9A-F]+\/[0-9A-F]+$/);
    assert.deepEqual(
      status.body.slots.map((s: any) => [s.name, s.type, s.active]),
      [['rep_standby', 'physical', true]]
    );
    const [replica] = status.body.readReplicas;
    assert.equal(replica.name, STANDBY);
    assert.equal(replica.state, 'up');
    assert.ok(replica.lagMs < MAX_LAG_MS, JSON.stringify(replica));
    const metrics = await (await fetch(baseUrl + '/metrics')).text();
    assert.match(metrics, /gateway_read_replica_lag_seconds\{replica="127\.0\.0\.1:55521\/rep_app",state="up"\} \d/);
    assert.match(
      metrics,
      /gateway_replication_slot_retained_wal_bytes\{slot="rep_standby",type="physical",active="true"\} \d+/
    );
  });

  it('reads inside onPrimaryOnly (a live re-run) stay on the primary', async () => {
    const where = () =>
      app.db
        .query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby', [], { staleOk: true })
        .then((r) => r.rows[0].standby);
    assert.equal(await where(), true, 'a stale-tolerant read goes to the standby');
    assert.equal(await onPrimaryOnly(where), false, 'the same read inside onPrimaryOnly runs on the primary');
    const inTx = await onPrimaryOnly(() =>
      app.db.transaction((tx) => tx.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby'), {
        readOnly: true,
        staleOk: true,
      })
    );
    assert.equal(inTx.rows[0].standby, false);
  });

  it('writes go to the primary', async () => {
    const res = await fetch(baseUrl + '/timescaledb/data/rep_readings', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ timestamp: new Date(START + 13 * 60_000).toISOString(), value: 13 }),
    });
    assert.equal(res.status, 201, await res.text());
    const rows = await primary.query(`SELECT count(*)::int AS n FROM rep_readings`, [], DB);
    assert.equal(rows[0].n, 13);
    await caughtUp();
  });

  it('measures lag by WAL position: an idle primary does not make the standby read as lagging', async () => {
    // Nothing is written for a while: the replay-timestamp measure calls the standby too far behind …
    await until(
      'the last replayed commit is older than READ_MAX_LAG',
      async () => {
        const [{ seconds }] = await standby.query<{ seconds: number }>(
          `SELECT extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 AS seconds`,
          [],
          DB
        );
        return seconds * 1000 > MAX_LAG_MS + 500;
      },
      30_000
    );
    // … yet it has everything: it still serves.
    const res = await get('/timescaledb/data/rep_readings?limit=100');
    assert.equal(res.headers.get('x-served-by'), STANDBY, res.headers.get('x-replica-skipped') ?? '');
    assert.equal(res.body.length, 13);
  });

  it('falls back to the primary when the standby falls behind (replay paused), and says so', async () => {
    await standby.query('SELECT pg_wal_replay_pause()', [], DB);
    try {
      await primary.query(
        `INSERT INTO rep_readings VALUES ($1, 14)`,
        [new Date(START + 14 * 60_000).toISOString()],
        DB
      );
      // Just behind: still within the bound, so the standby serves — without the new row.
      await sleep(300);
      const early = await get('/timescaledb/data/rep_readings?limit=100');
      assert.equal(early.headers.get('x-served-by'), STANDBY);
      assert.equal(early.body.length, 13, 'the standby lacks the row written after the pause');
      // Past the notice threshold, within the bound: served by the standby, and the frame says it lags.
      await until(
        'the standby lags more than 2 s',
        async () => Number((await get('/timescaledb/data/rep_readings?limit=1')).headers.get('x-replica-lag')) >= 2.1
      );
      const lagging = await builderQuery();
      assert.equal(lagging.headers.get('x-served-by'), STANDBY, lagging.headers.get('x-replica-skipped') ?? '');
      assert.match(
        notices(lagging.frame)
          .map((n) => n.text)
          .join('\n'),
        /Served by read replica 127\.0\.0\.1:55521\/rep_app, which may be up to \d\.\d s behind/
      );
      assert.equal(total(lagging.frame), 13);
      // Past the bound: the primary serves, with the new row, and names the skipped standby.
      await sleep(MAX_LAG_MS);
      const late = await get('/timescaledb/data/rep_readings?limit=100');
      assert.equal(late.status, 200);
      assert.equal(late.headers.get('x-served-by'), 'primary');
      assert.equal(late.body.length, 14);
      assert.match(
        late.headers.get('x-replica-skipped') ?? '',
        /127\.0\.0\.1:55521\/rep_app: lagging \d+\.\d s behind the primary \(READ_MAX_LAG 4\.0 s\)/
      );
      const q = await builderQuery();
      assert.equal(q.headers.get('x-served-by'), 'primary');
      assert.equal(total(q.frame), 14);
      assert.match(
        notices(q.frame)
          .map((n) => n.text)
          .join('\n'),
        /Served by the primary; read replicas skipped: 127\.0\.0\.1:55521\/rep_app lagging/
      );
    } finally {
      await standby.query('SELECT pg_wal_replay_resume()', [], DB);
    }
    await caughtUp();
    await until(
      'the standby serves again',
      async () => (await get('/timescaledb/data/rep_readings?limit=1')).headers.get('x-served-by') === STANDBY
    );
  });

  it('answers a query the standby cancels (conflict with recovery) from the primary', async () => {
    const slow = get('/timescaledb/data/rep_slow_readings?limit=100');
    // While the standby runs the slow view, an exclusive lock replays there and cancels it.
    await sleep(1000);
    await primary.query(`BEGIN; LOCK TABLE rep_readings IN ACCESS EXCLUSIVE MODE; COMMIT;`, [], DB);
    const res = await slow;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.length, 14);
    assert.equal(res.headers.get('x-served-by'), 'primary');
    assert.match(
      res.headers.get('x-replica-skipped') ?? '',
      /the standby cancelled the query \(conflict with recovery\)/
    );
  });

  it('skips a stopped standby without an error, and uses it again once it is back', async () => {
    await standby.stop('immediate');
    try {
      const res = await get('/timescaledb/data/rep_readings?limit=100');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.length, 14);
      assert.equal(res.headers.get('x-served-by'), 'primary');
      assert.match(res.headers.get('x-replica-skipped') ?? '', /127\.0\.0\.1:55521\/rep_app: unreachable/);
      const q = await builderQuery();
      assert.equal(q.body.results.A.error, undefined);
      assert.equal(q.headers.get('x-served-by'), 'primary');
    } finally {
      await standby.start();
    }
    await until(
      'the standby serves again',
      async () => (await get('/timescaledb/data/rep_readings?limit=1')).headers.get('x-served-by') === STANDBY
    );
  });
});

describe('read replica settings', () => {
  it('refuses DATABASE_READ_URL with the embedded database, saying why', () => {
    assert.throws(
      () => loadConfig({ GATEWAY_TOKENS: TOKEN_SPEC, DATABASE_READ_URL: 'postgres://reader@replica:5432/db' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /DATABASE_READ_URL needs DATABASE_URL/.test(err.message) &&
        /embedded database has none/.test(err.message)
    );
  });

  it('reads READ_MAX_LAG as a duration and refuses anything else', () => {
    const base = {
      GATEWAY_TOKENS: TOKEN_SPEC,
      DATABASE_URL: 'postgres://p@h/db',
      DATABASE_READ_URL: 'postgres://r@a/db, postgres://r@b/db',
    };
    const config = loadConfig({ ...base, READ_MAX_LAG: '1m' });
    assert.equal(config.readMaxLagMs, 60_000);
    assert.deepEqual(config.readUrls, ['postgres://r@a/db', 'postgres://r@b/db']);
    assert.equal(loadConfig(base).readMaxLagMs, 5000);
    assert.throws(() => loadConfig({ ...base, READ_MAX_LAG: 'soon' }), /READ_MAX_LAG must be a duration/);
    assert.throws(() => loadConfig({ ...base, READ_MAX_LAG: '5' }), /READ_MAX_LAG must be a duration/);
    assert.throws(
      () => loadConfig({ ...base, DATABASE_READ_URL: 'replica:5432' }),
      /DATABASE_READ_URL takes postgres:\/\/… URLs/
    );
  });
});

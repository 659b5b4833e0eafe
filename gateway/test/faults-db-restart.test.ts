import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { mapDatabaseError } from '../src/db/sqlstate';
import { TOKEN_SPEC, TOKENS } from './helpers/test-context';
import { createOwnCluster, sleep, type OwnCluster, type StopMode } from './helpers/own-cluster';
import {
  checkAgainstTable,
  FAULT_TABLE_DDL,
  latencies,
  report,
  startWriteLoad,
  storedByRequest,
  type WriteAnswer,
} from './helpers/write-load';

/**
 * The database goes away under the gateway (restart, outage) on a PostgreSQL cluster of the
 * test's own: the gateway stays up, answers 503 JSON quickly while the database is gone, loses
 * no acknowledged row, and serves again by itself once the database is back.
 */

const PORT = 55400;
const CONNECT_TIMEOUT_MS = 1500;
// Generous: the machine is shared. An outage answer must still come well before a hang would.
const OUTAGE_ANSWER_BOUND_MS = CONNECT_TIMEOUT_MS + 4000;

let cluster: OwnCluster;
let app: FastifyInstance;
let url: string;

before(async () => {
  cluster = await createOwnCluster({ port: PORT });
  await cluster.query('CREATE DATABASE faults');
  await cluster.query(FAULT_TABLE_DDL('fault_rows'), [], 'faults');
  await cluster.query(`CREATE VIEW slow_view AS SELECT 1 AS x FROM pg_sleep(0.2)`, [], 'faults');
  app = await buildApp(
    loadConfig({
      GATEWAY_TOKENS: TOKEN_SPEC,
      LOG_LEVEL: 'silent',
      DATABASE_URL: cluster.url('faults'),
      DB_POOL_SIZE: '6',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      STATEMENT_TIMEOUT_MS: '10000',
      COPY_THRESHOLD_ROWS: '100',
    })
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

after(async () => {
  await app?.close();
  await cluster?.destroy();
});

const get = async (path: string, token: string | null = TOKENS.admin) => {
  const started = Date.now();
  try {
    const res = await fetch(url + path, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let body: { error?: string } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body, ms: Date.now() - started };
  } catch (err) {
    return { status: 0, body: undefined, ms: Date.now() - started, failure: (err as Error).message };
  }
};

const sqlQuery = async () => {
  const started = Date.now();
  const res = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      range: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
      queries: [{ refId: 'A', mode: 'sql', format: 'table', rawSql: 'SELECT count(*) AS n FROM fault_rows' }],
    }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await res.json()) as { results: { A: { status?: number; errorCode?: string } } };
  return { status: res.status, query: body.results.A, ms: Date.now() - started };
};

async function storedRows(): Promise<Map<string, number>> {
  return storedByRequest(
    await cluster.query<{ req: string; count: string }>(
      'SELECT req, count(*) FROM fault_rows GROUP BY req',
      [],
      'faults'
    )
  );
}

/** Polls until a write and a read both succeed; returns how long that took. */
async function untilServing(since: number, limitMs: number): Promise<number> {
  while (Date.now() - since < limitMs) {
    const read = await get('/timescaledb/data/fault_rows?limit=1');
    const sql = await sqlQuery().catch(() => null);
    if (read.status === 200 && sql?.query.status === undefined) {
      return Date.now() - since;
    }
    await sleep(100);
  }
  throw new Error(`the gateway did not serve again within ${limitMs} ms of the database`);
}

function assertOutageAnswers(answers: WriteAnswer[]): void {
  for (const a of answers) {
    if (a.status === 201) {
      continue;
    }
    assert.ok(a.status !== 0, `request ${a.req} got no HTTP answer (${a.failure}) after ${a.ms} ms`);
    assert.ok(!a.notJson, `request ${a.req} got a ${a.status} that is not the JSON error shape`);
    assert.equal(a.status, 503, `request ${a.req} got ${a.status} ${a.error}`);
    assert.equal(a.error, 'database_unavailable');
    assert.ok(a.ms < OUTAGE_ANSWER_BOUND_MS, `request ${a.req} took ${a.ms} ms to hear of the outage`);
  }
}

describe('a held connection lost between statements', () => {
  it('fails its transaction at once with 503, and the pool serves on', async () => {
    let pid = 0;
    const started = Date.now();
    const tx = app.db.transaction(async (session): Promise<unknown> => {
      const { rows } = await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      pid = rows[0].pid;
      // Busy with something other than the database (a slow upload, say) when the server goes.
      await sleep(15_000);
      return session.query('SELECT 1');
    });
    // Settled as soon as it fails, while the test still waits for the terminate to return.
    const outcome = tx.then(
      () => null,
      (e: unknown) => e
    );
    while (pid === 0) {
      await sleep(20);
    }
    await cluster.query('SELECT pg_terminate_backend($1)', [pid], 'faults');
    const err = await outcome;
    const ms = Date.now() - started;
    assert.ok(err, 'the transaction fails');
    assert.equal(mapDatabaseError(err)?.statusCode, 503, String(err));
    assert.ok(ms < 5000, `failed after ${ms} ms, not when its work would have ended`);
    report('held connection lost between statements', {
      'transaction failed (503) after': `${ms} ms (its work would have taken 15 s)`,
    });
    assert.equal((await app.db.query<{ one: number }>('SELECT 1 AS one')).rows[0].one, 1);
  });
});

for (const mode of ['fast', 'immediate'] as StopMode[]) {
  describe(`a database restart (-m ${mode}) under write load`, () => {
    it('keeps the gateway up, answers 503 JSON fast during the outage, loses no acknowledged row, recovers by itself', async () => {
      // Small batches (INSERT in a transaction) and large ones (streamed COPY), with reads beside them.
      const load = startWriteLoad({
        url,
        token: TOKENS.admin,
        table: 'fault_rows',
        writers: [5, 5, 5, 300],
        prefix: `restart-${mode}`,
      });
      const readerAnswers: Array<{ status: number; ms: number }> = [];
      let reading = true;
      const reader = (async () => {
        while (reading) {
          readerAnswers.push(await get('/timescaledb/data/slow_view'));
          const sql = await sqlQuery().catch(() => null);
          if (sql) {
            readerAnswers.push({ status: sql.query.status ?? 200, ms: sql.ms });
          }
        }
      })();
      await sleep(1500);
      const restartAt = Date.now();
      await cluster.restart(mode);
      const back = Date.now();
      const recoveryMs = await untilServing(back, 10_000);
      await sleep(500);
      const answers = await load.stop();
      reading = false;
      await reader;

      const health = await get('/health', null);
      assert.equal(health.status, 200, 'the process is alive');
      assertOutageAnswers(answers);
      for (const r of readerAnswers) {
        assert.ok(r.status === 200 || r.status === 503, `a read during the restart got ${r.status}`);
        assert.ok(r.ms < OUTAGE_ANSWER_BOUND_MS + 1000, `a read took ${r.ms} ms`);
      }
      const acknowledged = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status !== 201);
      assert.ok(
        acknowledged.some((a) => a.startedAt > back),
        'writes succeed again after the restart'
      );
      const check = checkAgainstTable(answers, await storedRows());
      assert.equal(check.lostRows, 0, 'every acknowledged row is in the table');
      assert.deepEqual(check.torn, [], 'no request is stored in part');
      report(`database restart -m ${mode} under write load`, {
        requests: answers.length,
        'rows acknowledged': check.acknowledgedRows,
        'rows lost': check.lostRows,
        'requests refused (503)': refused.length,
        'refused but stored whole (commit done, answer lost)': check.unacknowledgedButStored,
        'outage answers': latencies(refused),
        'reads 503 / 200': `${readerAnswers.filter((r) => r.status === 503).length} / ${readerAnswers.filter((r) => r.status === 200).length}`,
        'restart took (pg_ctl)': `${back - restartAt} ms`,
        'serving again after the database': `${recoveryMs} ms`,
      });
      assert.ok(recoveryMs < 5000, `recovered in ${recoveryMs} ms`);
    });
  });
}

describe('the database down for 20 s', () => {
  it('keeps /health 200, answers /ready and data requests 503 quickly, and serves fully after', async () => {
    await cluster.stop('fast');
    const downAt = Date.now();
    const samples: Array<{ path: string; status: number; error?: string; ms: number }> = [];
    try {
      while (Date.now() - downAt < 20_000) {
        for (const [path, token] of [
          ['/health', null],
          ['/ready', null],
          ['/timescaledb/data/fault_rows?limit=1', TOKENS.admin],
        ] as const) {
          const r = await get(path, token);
          samples.push({ path, status: r.status, error: r.body?.error, ms: r.ms });
        }
        const w = await startWriteLoad({
          url,
          token: TOKENS.admin,
          table: 'fault_rows',
          writers: [3],
          prefix: `down-${samples.length}`,
        }).stop();
        samples.push(...w.map((a) => ({ path: 'POST', status: a.status, error: a.error, ms: a.ms })));
        const sql = await sqlQuery();
        samples.push({ path: 'sql', status: sql.query.status ?? 200, error: sql.query.errorCode, ms: sql.ms });
        await sleep(1000);
      }
    } finally {
      await cluster.start();
    }
    const upAt = Date.now();
    const recoveryMs = await untilServing(upAt, 10_000);
    assert.equal((await get('/ready', null)).status, 200);
    const write = await startWriteLoad({
      url,
      token: TOKENS.admin,
      table: 'fault_rows',
      writers: [3],
      prefix: 'after-down',
    }).stop();
    assert.equal(write[0].status, 201, 'writes work again');

    for (const s of samples) {
      if (s.path === '/health') {
        assert.equal(s.status, 200, '/health while the database is down');
      } else {
        assert.equal(s.status, 503, `${s.path} while the database is down`);
        assert.equal(s.error, 'database_unavailable', s.path);
      }
      assert.ok(s.ms < OUTAGE_ANSWER_BOUND_MS, `${s.path} took ${s.ms} ms`);
    }
    const by = (path: string) =>
      latencies(samples.filter((s) => s.path === path).map((s) => ({ ms: s.ms }) as WriteAnswer));
    report('database down 20 s', {
      '/health': by('/health'),
      '/ready (503)': by('/ready'),
      'GET data (503)': by('/timescaledb/data/fault_rows?limit=1'),
      'POST data (503)': by('POST'),
      'SQL mode (503)': by('sql'),
      'serving again after the database': `${recoveryMs} ms`,
    });
    assert.ok(recoveryMs < 5000, `recovered in ${recoveryMs} ms`);
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { embeddedThreadOf } from '../src/db/embedded-driver';
import { TOKEN_SPEC, TOKENS } from './helpers/test-context';
import { createOwnCluster, sleep, type OwnCluster } from './helpers/own-cluster';
import { latencies, report, type WriteAnswer } from './helpers/write-load';

/**
 * Statements that run too long or lose their client: a full pool answers in time, a statement
 * past STATEMENT_TIMEOUT_MS answers 504 and is gone from the server, and a client that goes away
 * has its statement cancelled (PostgreSQL) or its worker's statement ended (embedded).
 */

const PORT = 55401;
const STATEMENT_TIMEOUT_MS = 4000;
const RANGE = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };

let cluster: OwnCluster;
const apps: FastifyInstance[] = [];

async function start(env: Record<string, string>): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApp(
    loadConfig({
      GATEWAY_TOKENS: TOKEN_SPEC,
      LOG_LEVEL: 'silent',
      STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      ...env,
    })
  );
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

before(async () => {
  cluster = await createOwnCluster({ port: PORT });
  await cluster.query('CREATE DATABASE faults');
  await cluster.query(`CREATE VIEW slow_rows AS SELECT 1 AS x FROM pg_sleep(20)`, [], 'faults');
  await cluster.query(
    `CREATE VIEW slow_series AS SELECT TIMESTAMPTZ '2026-01-01 12:00:00+00' AS time, 1.0::float8 AS value FROM pg_sleep(20)`,
    [],
    'faults'
  );
  await cluster.query(`CREATE VIEW heavy AS SELECT 1 AS x FROM pg_sleep(0.5)`, [], 'faults');
});

after(async () => {
  for (const app of apps) {
    await app.close().catch(() => undefined);
  }
  await cluster?.destroy();
});

const auth = { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' };

/** The three kinds of read a client can start: a data GET, a builder query, an SQL-mode query. */
const READS: Record<string, (url: string, signal?: AbortSignal) => Promise<Response>> = {
  'REST GET': (url, signal) => fetch(`${url}/timescaledb/data/slow_rows`, { headers: auth, signal }),
  builder: (url, signal) =>
    fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: auth,
      signal,
      body: JSON.stringify({
        range: RANGE,
        queries: [
          {
            refId: 'A',
            mode: 'builder',
            table: 'slow_series',
            timeColumn: 'time',
            metrics: [{ column: 'value', aggregation: 'avg' }],
          },
        ],
      }),
    }),
  'SQL mode': (url, signal) =>
    fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: auth,
      signal,
      body: JSON.stringify({
        range: RANGE,
        queries: [{ refId: 'A', mode: 'sql', format: 'table', rawSql: 'SELECT pg_sleep(20) AS slept' }],
      }),
    }),
};

/** Statements of the gateway's connections still running on the server. */
async function sleepersRunning(): Promise<number> {
  const rows = await cluster.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND application_name = 'timescaledb-gateway' AND pid <> pg_backend_pid()`
  );
  return Number(rows[0].n);
}

/** How long until no such statement runs (throws past `limitMs`). */
async function untilNoSleepers(limitMs: number): Promise<number> {
  const started = Date.now();
  while ((await sleepersRunning()) > 0) {
    if (Date.now() - started > limitMs) {
      throw new Error(`a statement still runs on the server ${limitMs} ms later`);
    }
    await sleep(50);
  }
  return Date.now() - started;
}

describe('on PostgreSQL', () => {
  let url: string;
  before(async () => {
    ({ url } = await start({ DATABASE_URL: cluster.url('faults'), DB_POOL_SIZE: '4', DB_CONNECT_TIMEOUT_MS: '2000' }));
  });

  it('cancels the statement of a client that goes away (REST GET, builder, SQL mode)', async () => {
    const figures: Record<string, string> = {};
    for (const [kind, read] of Object.entries(READS)) {
      const controller = new AbortController();
      const pending = read(url, controller.signal).catch((err: Error) => err);
      // Running on the server first, then the client leaves.
      const deadline = Date.now() + 10_000;
      while ((await sleepersRunning()) === 0) {
        assert.ok(Date.now() < deadline, `the ${kind} statement never started`);
        await sleep(50);
      }
      await sleep(500);
      controller.abort();
      await pending;
      const gone = await untilNoSleepers(3000);
      figures[`${kind}: statement gone after the client left`] = `${gone} ms`;
    }
    // The cancelled statements released their connections: the pool serves.
    const ok = await fetch(`${url}/timescaledb/data/heavy`, { headers: auth });
    assert.equal(ok.status, 200);
    report('client abort on PostgreSQL', figures);
  });

  it('answers a statement past STATEMENT_TIMEOUT_MS with 504 and leaves nothing running', async () => {
    const figures: Record<string, string> = {};
    for (const [kind, read] of Object.entries(READS)) {
      const started = Date.now();
      const res = await read(url);
      const body = (await res.json()) as { error?: string; results?: { A: { status?: number; errorCode?: string } } };
      const ms = Date.now() - started;
      const status = body.results ? body.results.A.status : res.status;
      const code = body.results ? body.results.A.errorCode : body.error;
      assert.equal(status, 504, `${kind}: ${JSON.stringify(body)}`);
      assert.equal(code, 'statement_timeout');
      assert.ok(ms < STATEMENT_TIMEOUT_MS + 4000, `${kind} took ${ms} ms`);
      const gone = await untilNoSleepers(3000);
      figures[`${kind}: 504 after`] = `${ms} ms, nothing running ${gone} ms later`;
    }
    report('statement timeout on PostgreSQL', figures);
  });

  it('answers every request in time with a JSON status when the pool is exhausted (pool 2, 50 heavy queries)', async () => {
    const small = await start({
      DATABASE_URL: cluster.url('faults'),
      DB_POOL_SIZE: '2',
      DB_CONNECT_TIMEOUT_MS: '1500',
    });
    const answers: Array<WriteAnswer & { status: number }> = [];
    const health: number[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const started = Date.now();
        const res = await fetch(`${small.url}/health`);
        assert.equal(res.status, 200);
        health.push(Date.now() - started);
        await sleep(100);
      }
    })();
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const startedAt = Date.now();
        const res = await fetch(`${small.url}/timescaledb/data/heavy`, {
          headers: auth,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        const body = JSON.parse(text) as unknown;
        const answer = {
          req: String(i),
          rows: 0,
          status: res.status,
          startedAt,
          ms: Date.now() - startedAt,
        } as WriteAnswer;
        if (res.status !== 200) {
          answer.error = (body as { error?: string }).error;
        }
        answers.push(answer);
      })
    );
    probing = false;
    await prober;
    for (const a of answers) {
      assert.ok(
        a.status === 200 || (a.status === 503 && a.error === 'database_unavailable'),
        `status ${a.status} ${a.error}`
      );
      // Waiting for a connection is bounded by DB_CONNECT_TIMEOUT_MS, the query itself by its 0.5 s.
      assert.ok(a.ms < 1500 + 500 + 5000, `an answer took ${a.ms} ms`);
    }
    const served = answers.filter((a) => a.status === 200);
    assert.ok(served.length >= 2, 'the pool serves what it can');
    assert.ok(Math.max(...health) < 1500, `/health took up to ${Math.max(...health)} ms`);
    report('pool exhausted (pool 2, 50 heavy queries)', {
      served: latencies(served),
      'refused (503)': latencies(answers.filter((a) => a.status === 503)),
      '/health': latencies(health.map((ms) => ({ ms }) as WriteAnswer)),
    });
  });
});

describe('on the embedded database (persistent data dir)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tsgw-faults-embedded-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("ends the worker's statement when its client goes away, and serves again after", async () => {
    const { app, url } = await start({ DATA_DIR: dataDir, STATEMENT_TIMEOUT_MS: '30000' });
    const figures: Record<string, string> = {};
    // One kind only: each stop restarts the worker, seconds on a loaded machine. The data GET
    // and builder reads are stopped the same way (embedded-worker.test.ts covers their timeout).
    for (const kind of ['SQL mode'] as const) {
      const worker = await embeddedThreadOf(app.db);
      assert.ok(worker?.alive);
      const controller = new AbortController();
      const pending = READS[kind](url, controller.signal).catch((err: Error) => err);
      await sleep(1000);
      const abortedAt = Date.now();
      controller.abort();
      await pending;
      await Promise.race([
        worker!.exited,
        sleep(3000).then(() => Promise.reject(new Error(`the ${kind} statement still runs 3 s after its client left`))),
      ]);
      const ended = Date.now() - abortedAt;
      const res = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          range: RANGE,
          queries: [{ refId: 'A', mode: 'sql', format: 'table', rawSql: 'SELECT 1 AS one' }],
        }),
      });
      const body = (await res.json()) as { results: { A: { status?: number } } };
      assert.equal(body.results.A.status, undefined, JSON.stringify(body));
      figures[`${kind}: worker ended after the client left`] =
        `${ended} ms; serving again ${Date.now() - abortedAt} ms after`;
    }
    report('client abort on the embedded database', figures);
  });
});

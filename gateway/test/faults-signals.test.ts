import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmbeddedDb } from '../src/db/embedded-driver';
import { embeddedDataDir } from '../src/open-db';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process';
import { TOKEN_SPEC, TOKENS } from './helpers/test-context';
import { createOwnCluster, sleep, type OwnCluster } from './helpers/own-cluster';
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
 * The gateway process is signalled while writes stream in: SIGTERM drains within the grace
 * period (each request stored whole with its 201, or refused and not stored), SIGKILL leaves no
 * partial request behind, on PostgreSQL and on the embedded database's data dir.
 */

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const PORT = 55402;
const GRACE_MS = 6000;

let cluster: OwnCluster;
const running: GatewayProcess[] = [];

const startGateway = async (env: Record<string, string>) => {
  const gw = await startGatewayProcess({
    entry: MAIN,
    cleanEnv: true,
    env: { GATEWAY_TOKENS: TOKEN_SPEC, LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: String(GRACE_MS), ...env },
    timeoutMs: 90_000,
  });
  running.push(gw);
  return gw;
};

const exited = (gw: GatewayProcess): Promise<number | null> =>
  gw.child.exitCode !== null || gw.child.signalCode !== null
    ? Promise.resolve(gw.child.exitCode)
    : once(gw.child, 'exit').then(([code]) => code as number | null);

/** One request on a connection of its own (no pooled keep-alive socket to reuse). */
function freshRequest(
  url: string,
  path: string
): Promise<{ status: number; body: string } | { status: 0; error: string }> {
  return new Promise((resolve) => {
    const req = http.get(
      `${url}${path}`,
      { agent: false, headers: { authorization: `Bearer ${TOKENS.admin}` } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, error: err.code ?? err.message }));
  });
}

before(async () => {
  cluster = await createOwnCluster({ port: PORT });
  await cluster.query('CREATE DATABASE faults');
  await cluster.query(FAULT_TABLE_DDL('fault_rows'), [], 'faults');
  await cluster.query(`CREATE VIEW slow_view AS SELECT 1 AS x FROM pg_sleep(2)`, [], 'faults');
});

after(async () => {
  for (const gw of running) {
    gw.child.kill('SIGKILL');
  }
  await cluster?.destroy();
});

const storedOnPostgres = async () =>
  storedByRequest(
    await cluster.query<{ req: string; count: string }>(
      'SELECT req, count(*) FROM fault_rows GROUP BY req',
      [],
      'faults'
    )
  );

describe('SIGTERM while writes stream in (PostgreSQL)', () => {
  it('finishes requests in flight, refuses new ones with 503, stores each request whole or not at all, exits within the grace', async () => {
    const gw = await startGateway({ DATABASE_URL: cluster.url('faults'), COPY_THRESHOLD_ROWS: '100' });
    const load = startWriteLoad({
      url: gw.url,
      token: TOKENS.admin,
      table: 'fault_rows',
      writers: [5, 5, 5, 300],
      prefix: 'term',
      pauseMs: 20,
    });
    await sleep(1500);
    const slow = fetch(`${gw.url}/timescaledb/data/slow_view`, {
      headers: { authorization: `Bearer ${TOKENS.admin}` },
    }).then(
      async (res) => ({ status: res.status, body: await res.text() }),
      (err: Error) => ({ status: 0, body: err.message })
    );
    await sleep(300);
    const signalledAt = Date.now();
    gw.child.kill('SIGTERM');
    await sleep(200);
    const during = await freshRequest(gw.url, '/timescaledb/data/fault_rows?limit=1');
    const code = await exited(gw);
    const exitMs = Date.now() - signalledAt;
    const answers = await load.stop();
    const inFlight = await slow;

    assert.equal(code, 0, gw.output().slice(-2000));
    assert.equal(inFlight.status, 200, `the read in flight finishes: ${inFlight.body}`);
    assert.equal(during.status, 503, `a new request while draining: ${JSON.stringify(during)}`);
    assert.equal(JSON.parse((during as { body: string }).body).error, 'shutting_down');
    assert.ok(exitMs < GRACE_MS + 3000, `exited ${exitMs} ms after SIGTERM`);
    const after = answers.filter((a) => a.startedAt >= signalledAt);
    for (const a of answers) {
      if (a.status === 201) {
        continue;
      }
      assert.ok(
        a.status === 0 || (a.status === 503 && a.error === 'shutting_down'),
        `request ${a.req}: ${a.status} ${a.error ?? a.failure}`
      );
    }
    const check = checkAgainstTable(answers, await storedOnPostgres());
    assert.equal(check.lostRows, 0);
    assert.deepEqual(check.torn, []);
    assert.equal(check.unacknowledgedButStored, 0, 'a request without its 201 left no rows');
    report('SIGTERM while writes stream in', {
      requests: answers.length,
      'rows acknowledged': check.acknowledgedRows,
      'rows lost': check.lostRows,
      'requests after SIGTERM: 201 / 503 / no connection': `${after.filter((a) => a.status === 201).length} / ${after.filter((a) => a.status === 503).length} / ${after.filter((a) => a.status === 0).length}`,
      'refused while draining': latencies(after.filter((a) => a.status === 503)),
      'exit after SIGTERM': `${exitMs} ms (grace ${GRACE_MS} ms, a 2 s read in flight)`,
    });
  });
});

describe('SIGKILL mid-write', () => {
  it('on PostgreSQL: no request is stored in part, every acknowledged row is there', async () => {
    const gw = await startGateway({ DATABASE_URL: cluster.url('faults'), COPY_THRESHOLD_ROWS: '100' });
    const load = startWriteLoad({
      url: gw.url,
      token: TOKENS.admin,
      table: 'fault_rows',
      writers: [5, 300, 3000],
      prefix: 'kill',
    });
    await sleep(1500);
    gw.child.kill('SIGKILL');
    await exited(gw);
    const answers = await load.stop();
    // The server rolls back what the killed gateway left open once it notices the lost connection.
    await sleep(500);
    const check = checkAgainstTable(answers, await storedOnPostgres());
    assert.ok(check.acknowledgedRows > 0, 'writes were acknowledged before the kill');
    assert.equal(check.lostRows, 0);
    assert.deepEqual(check.torn, []);
    report('SIGKILL mid-write on PostgreSQL', {
      requests: answers.length,
      'rows acknowledged': check.acknowledgedRows,
      'rows lost': check.lostRows,
      'requests stored in part': check.torn.length,
      'unanswered but stored whole': check.unacknowledgedButStored,
    });
  });

  it('on the embedded database: the data dir opens again and holds every acknowledged row (3 kills)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tsgw-faults-kill-'));
    try {
      const db = await createEmbeddedDb({ dataDir: embeddedDataDir(dataDir) });
      await db.query(FAULT_TABLE_DDL('fault_rows'));
      await db.close();

      const answers: WriteAnswer[] = [];
      const rounds: string[] = [];
      for (let round = 0; round <= 3; round++) {
        const startedAt = Date.now();
        const gw = await startGateway({ DATA_DIR: dataDir });
        const opened = Date.now() - startedAt;
        // What the previous kill left must be there, whole.
        const res = await fetch(`${gw.url}/timescaledb/data/fault_rows?columns=req&limit=100000`, {
          headers: { authorization: `Bearer ${TOKENS.admin}` },
        });
        assert.equal(res.status, 200, await res.clone().text());
        const counts = new Map<string, number>();
        for (const { req } of (await res.json()) as Array<{ req: string }>) {
          counts.set(req, (counts.get(req) ?? 0) + 1);
        }
        const check = checkAgainstTable(answers, counts);
        assert.equal(check.lostRows, 0, `round ${round}: acknowledged rows lost`);
        assert.deepEqual(check.torn, [], `round ${round}: a request stored in part`);
        if (round > 0) {
          rounds.push(
            `kill ${round}: reopened in ${opened} ms, ${check.acknowledgedRows} rows acknowledged so far, 0 lost`
          );
        }
        if (round === 3) {
          await gw.stop();
          break;
        }
        const load = startWriteLoad({
          url: gw.url,
          token: TOKENS.admin,
          table: 'fault_rows',
          writers: [5, 50],
          prefix: `ekill${round}`,
        });
        await sleep(1200 + round * 300);
        gw.child.kill('SIGKILL');
        await exited(gw);
        answers.push(...(await load.stop()));
      }
      assert.ok(
        answers.some((a) => a.status === 201),
        'writes were acknowledged before the kills'
      );
      report(
        'SIGKILL mid-write on the embedded database',
        Object.fromEntries(rounds.map((line, i) => [`round ${i + 1}`, line]))
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

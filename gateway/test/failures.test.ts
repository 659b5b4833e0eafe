import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { forEachDatabase, NO_SHEDDING, TOKEN_SPEC, TOKENS } from './helpers/test-context';
import { api } from './helpers/http';
import {
  createScratchDatabase,
  dropScratchDatabase,
  probePostgres,
  TEST_DATABASE_URL,
} from './helpers/postgres-server';
import { mapDatabaseError } from '../src/db/sqlstate';

describe('SQLSTATE mapping', () => {
  it('maps database errors onto statuses and codes', () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ code: '23505', message: 'dup' }, 409, 'conflict'],
      [{ code: '57014', message: 'canceling statement due to statement timeout' }, 504, 'statement_timeout'],
      [{ code: '22P02', message: 'invalid input syntax' }, 400, 'invalid_value'],
      [{ code: '23502', message: 'null value' }, 400, 'constraint_violation'],
      [{ code: '42P01', message: 'relation does not exist' }, 404, 'unknown_table'],
      [{ code: '42703', message: 'column does not exist' }, 400, 'unknown_column'],
      [{ code: '42501', message: 'permission denied' }, 403, 'forbidden'],
      [{ code: '08006', message: 'connection failure' }, 503, 'database_unavailable'],
      [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 503, 'database_unavailable'],
    ];
    for (const [err, status, code] of cases) {
      const mapped = mapDatabaseError(Object.assign(new Error(err.message), err));
      assert.equal(mapped?.statusCode, status, err.code);
      assert.equal(mapped?.code, code, err.code);
    }
    assert.equal(mapDatabaseError(new Error('plain')), null);
  });
});

// The embedded database stops a statement over the timeout by restarting its worker, which
// keeps only what is on disk: these views live in a data dir of their own (PostgreSQL ignores it).
const dataDir = mkdtempSync(join(tmpdir(), 'tsgw-failures-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

forEachDatabase(
  (getCtx) => {
    it('answers a statement over the timeout with 504', async () => {
      const ctx = getCtx();
      const started = Date.now();
      const res = await api(ctx, '/timescaledb/data/slow_view');
      assert.equal(res.status, 504);
      assert.equal(res.body.error, 'statement_timeout');
      assert.ok(Date.now() - started < 1900, 'answered before the 2 s statement would have ended');
      assert.equal((await api(ctx, '/timescaledb/data/fast_view')).status, 200);
    });

    it('answers 503 once the database is gone', async () => {
      const ctx = getCtx();
      if (ctx.driver === 'embedded') {
        await ctx.db.close();
        const res = await api(ctx, '/timescaledb/data/fast_view');
        assert.equal(res.status, 503);
        assert.equal(res.body.error, 'database_unavailable');
        assert.equal((await api(ctx, '/ready', { token: null })).status, 503);
        assert.equal((await api(ctx, '/health', { token: null })).status, 200, 'the process itself is still alive');
      }
    });
  },
  {
    env: { STATEMENT_TIMEOUT_MS: '300', DATA_DIR: dataDir },
    setup: async (db) => {
      await db.query(`CREATE VIEW slow_view AS SELECT 1 AS x FROM pg_sleep(2)`);
      await db.query(`CREATE VIEW fast_view AS SELECT 1 AS x`);
    },
  }
);

describe('PostgreSQL unreachable', async () => {
  const probe = await probePostgres();
  if (!probe.ok) {
    it(
      'needs PostgreSQL',
      { skip: process.env.CI === 'true' ? false : `PostgreSQL at ${TEST_DATABASE_URL} unreachable` },
      () => {
        throw new Error(`PostgreSQL at ${TEST_DATABASE_URL} is unreachable`);
      }
    );
    return;
  }
  // A TCP relay between the gateway and the server, to cut the line mid-run.
  let relay: net.Server;
  const sockets = new Set<net.Socket>();
  let scratch: { name: string; url: string };
  let app: Awaited<ReturnType<typeof buildApp>>;
  let baseUrl: string;

  before(async () => {
    scratch = await createScratchDatabase();
    const target = new URL(scratch.url);
    relay = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const viaRelay = new URL(scratch.url);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String((relay.address() as net.AddressInfo).port);
    app = await buildApp(
      loadConfig({
        GATEWAY_TOKENS: TOKEN_SPEC,
        LOG_LEVEL: 'silent',
        ...NO_SHEDDING,
        DATABASE_URL: viaRelay.toString(),
        DB_CONNECT_TIMEOUT_MS: '1000',
      })
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`;
  });

  after(async () => {
    await app?.close().catch(() => undefined);
    relay?.close();
    if (scratch) {
      await dropScratchDatabase(scratch.name);
    }
  });

  it('answers 503 database_unavailable, and /ready says so', async () => {
    const headers = { authorization: `Bearer ${TOKENS.admin}` };
    assert.equal((await fetch(`${baseUrl}/api/v1/catalog`, { headers })).status, 200);
    relay.close();
    for (const s of sockets) {
      s.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    const ready = await fetch(`${baseUrl}/ready`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { error: string }).error, 'database_unavailable');
    const refresh = await fetch(`${baseUrl}/api/v1/catalog/refresh`, { method: 'POST', headers });
    assert.equal(refresh.status, 503);
    assert.match(((await refresh.json()) as { message: string }).message, /unreachable/);
  });
});

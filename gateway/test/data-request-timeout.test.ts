import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadConfig } from '../src/config';
import { forEachDatabase, TOKEN_SPEC, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';

/**
 * REQUEST_TIMEOUT_MS: a client that starts a large POST and then stalls must not keep what
 * the request holds — on PostgreSQL a pooled connection inside an open transaction, with COPY
 * already running. The request is cut with a 408 in the gateway's shape, the transaction is
 * rolled back and the connection goes back to the pool (a pool of one here: a leak would
 * starve the next request).
 */

const TIMEOUT_MS = 1500;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

const rowsText = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify({ t: new Date(T0 + (from + i) * 1000).toISOString(), n: from + i })
  ).join(',');

interface Stalled {
  socket: Socket;
  /** The raw answer, once the server closed the connection. */
  answer: Promise<string>;
}

/** A POST that announces a large body, sends its first rows, then sends nothing more. */
function stalledUpload(ctx: TestContext): Stalled {
  const url = new URL(ctx.baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  const answer = new Promise<string>((resolve) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (received += d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
  });
  // Rows enough for several segments of the streaming reader (32 KiB each), so COPY starts.
  const head = `[${rowsText(0, 3000)},`;
  socket.write(
    `POST /timescaledb/data/uploads HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${ctx.token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n${head}`
  );
  return { socket, answer };
}

describe('REQUEST_TIMEOUT_MS', () => {
  it('defaults to two minutes, takes 0 for no limit and refuses anything else', () => {
    assert.equal(loadConfig({ GATEWAY_TOKENS: TOKEN_SPEC }).requestTimeoutMs, 120_000);
    assert.equal(loadConfig({ GATEWAY_TOKENS: TOKEN_SPEC }, ['--request-timeout-ms=0']).requestTimeoutMs, 0);
    assert.throws(() => loadConfig({ GATEWAY_TOKENS: TOKEN_SPEC, REQUEST_TIMEOUT_MS: '-1' }), /REQUEST_TIMEOUT_MS/);
    assert.throws(() => loadConfig({ GATEWAY_TOKENS: TOKEN_SPEC, REQUEST_TIMEOUT_MS: 'soon' }), /REQUEST_TIMEOUT_MS/);
  });
});

forEachDatabase(
  (getCtx) => {
    const count = async () =>
      (await getCtx().db.query<{ n: number }>('SELECT count(*)::int AS n FROM uploads')).rows[0].n;

    /** Sessions of the test database other than `client`'s, by state, seen from a login of its own. */
    async function sessions(client: pg.Client): Promise<{ copying: number; inTransaction: number }> {
      const res = await client.query<{ copying: number; in_tx: number }>(
        `SELECT count(*) FILTER (WHERE query LIKE 'COPY%' AND state <> 'idle')::int AS copying,
                count(*) FILTER (WHERE state LIKE 'idle in transaction%' OR (query LIKE 'COPY%' AND state <> 'idle'))::int AS in_tx
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`
      );
      return { copying: res.rows[0].copying, inTransaction: res.rows[0].in_tx };
    }

    it('cuts a stalled upload with 408, rolls it back and frees its connection', async () => {
      const ctx = getCtx();
      assert.equal(ctx.app.config.requestTimeoutMs, TIMEOUT_MS);
      // On PostgreSQL, a login of the test's own: the gateway's pool of one is taken by the upload.
      const watcher =
        ctx.driver === 'postgres' ? new pg.Client({ connectionString: ctx.app.config.databaseUrl }) : null;
      await watcher?.connect();
      try {
        const started = Date.now();
        const upload = stalledUpload(ctx);
        if (watcher) {
          // The upload really holds a connection inside a transaction, COPY running, while it stalls.
          let seen = false;
          for (let i = 0; i < 100 && !seen; i++, await sleep(10)) {
            seen = (await sessions(watcher)).copying === 1;
          }
          assert.ok(seen, 'the COPY of the stalled upload never started');
        }

        const answer = await upload.answer;
        const elapsed = Date.now() - started;
        const [head, body] = answer.split('\r\n\r\n', 2);
        assert.match(head, /^HTTP\/1\.1 408 /);
        assert.match(head, /content-type: application\/json/i);
        const parsed = JSON.parse(body);
        assert.equal(parsed.error, 'request_timeout');
        assert.match(parsed.message, new RegExp(`within ${TIMEOUT_MS} ms`));
        assert.ok(elapsed >= TIMEOUT_MS - 100, `cut after ${elapsed} ms, before the limit`);
        assert.ok(elapsed < TIMEOUT_MS + 2000, `cut only after ${elapsed} ms`);

        if (watcher) {
          let open = -1;
          for (let i = 0; i < 100 && open !== 0; i++, await sleep(10)) {
            open = (await sessions(watcher)).inTransaction;
          }
          assert.equal(open, 0, 'a session stayed inside the transaction');
        }
        assert.equal(await count(), 0, 'nothing of the cut upload is kept');
        // The one pooled connection is free again.
        const next = await api(ctx, '/timescaledb/data/uploads', {
          method: 'POST',
          body: JSON.parse(`[${rowsText(0, 50)}]`),
        });
        assert.deepEqual([next.status, next.body], [201, { inserted: 50 }]);
        assert.equal(await count(), 50);
      } finally {
        await watcher?.end();
      }
    });

    it('lets a slow upload through when it arrives within the limit', async () => {
      const ctx = getCtx();
      await ctx.db.query('TRUNCATE uploads');
      // A slow client still within the limit: the body comes in pieces over about half of it.
      const url = new URL(ctx.baseUrl);
      const socket = connect(Number(url.port), url.hostname);
      const received = new Promise<string>((resolve) => {
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (d) => {
          text += d;
          if (text.includes('\r\n\r\n') && text.endsWith('}')) {
            resolve(text);
          }
        });
        socket.on('close', () => resolve(text));
      });
      const body = Buffer.from(`[${rowsText(0, 300)}]`);
      socket.write(
        `POST /timescaledb/data/uploads HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${ctx.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
      );
      const pieces = 5;
      for (let k = 0; k < pieces; k++) {
        socket.write(
          body.subarray(Math.floor((k * body.length) / pieces), Math.floor(((k + 1) * body.length) / pieces))
        );
        await sleep(TIMEOUT_MS / 2 / pieces);
      }
      const answer = await received;
      socket.destroy();
      assert.match(answer, /^HTTP\/1\.1 201 /, answer.slice(0, 300));
      assert.equal(await count(), 300);
    });
  },
  {
    env: {
      REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
      DB_POOL_SIZE: '1',
      DB_CONNECT_TIMEOUT_MS: '1000',
      COPY_THRESHOLD_ROWS: '100',
    },
    setup: async (db) => {
      await db.query(`CREATE TABLE uploads (t timestamptz NOT NULL, n integer)`);
    },
  }
);

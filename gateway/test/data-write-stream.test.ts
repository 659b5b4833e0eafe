import { it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';

/**
 * POST bodies are read while rows are written: on PostgreSQL, COPY starts before the body
 * has fully arrived. Whatever arrives later — a syntax error, a bad value, too many bytes,
 * nothing at all because the client left — the request inserts nothing, answers as it did
 * when the whole body was parsed first, and gives its database connection back.
 */

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const BODY_LIMIT = 12 * 1024 * 1024;

interface Row {
  t: string;
  k: string;
  v: number | string;
  n: number;
  meta: unknown;
}

const rowsFor = (count: number): Row[] =>
  Array.from({ length: count }, (_, i) => ({
    t: new Date(T0 + i * 1000).toISOString(),
    k: i % 3 === 0 ? `k"${i}},{\n[é😀\\` : `k${i % 5}`,
    v: i / 8,
    n: i,
    meta: i % 4 === 0 ? { list: [{ a: i }, { b: '}],' }], s: '"' } : null,
  }));

/** Splits text into pieces of 1..`max` bytes, cutting anywhere (inside tokens and characters too). */
function pieces(text: string, max: number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let at = 0, step = 1; at < bytes.length; at += step, step = 1 + ((step * 7919 + at) % max)) {
    out.push(bytes.subarray(at, at + step));
  }
  return out;
}

interface Answer {
  status: number;
  body: any;
}

/**
 * One POST whose body goes out in the given pieces with chunked transfer encoding (no
 * Content-Length), yielding to the event loop between pieces so the server sees them apart.
 * `abortAfter`: after that many pieces, wait for `beforeAbort` and destroy the socket.
 */
function postInPieces(
  ctx: TestContext,
  table: string,
  body: Buffer[],
  opts: { contentType?: string; token?: string; abortAfter?: number; beforeAbort?: () => Promise<void> } = {}
): Promise<Answer | 'aborted'> {
  const url = new URL(`/timescaledb/data/${table}`, ctx.baseUrl);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${opts.token ?? ctx.token}`,
        'content-type': opts.contentType ?? 'application/json',
        'transfer-encoding': 'chunked',
      },
    });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', (err) => {
      if (opts.abortAfter !== undefined) {
        resolve('aborted');
      } else if (!answered) {
        reject(err);
      }
    });
    (async () => {
      for (let i = 0; i < body.length && !answered; i++) {
        if (i === opts.abortAfter) {
          await opts.beforeAbort?.();
          req.destroy();
          return;
        }
        if (!req.write(body[i])) {
          await new Promise((r) => req.once('drain', r));
        }
        if (i % 16 === 0) {
          await new Promise((r) => setImmediate(r));
        }
      }
      if (!answered) {
        req.end();
      }
    })().catch(reject);
  });
}

/**
 * A chunked POST over a bare socket that keeps reading while it writes: a server that
 * answers early and closes (as for 413) cannot make the answer get lost in a write error.
 */
function postRaw(ctx: TestContext, table: string, body: Buffer[]): Promise<Answer & { head: string }> {
  const url = new URL(ctx.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    let stop = false;
    socket.setEncoding('utf8');
    socket.on('data', (d) => {
      received += d;
      stop = true;
    });
    socket.on('error', () => (stop = true)); // the server closed while we wrote: read what it said
    socket.on('close', () => {
      const [head, text] = received.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]);
      if (!status) {
        return reject(new Error(`no answer: ${JSON.stringify(received.slice(0, 200))}`));
      }
      resolve({ status, body: JSON.parse(text), head });
    });
    socket.write(
      `POST /timescaledb/data/${table} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${ctx.token}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
    );
    (async () => {
      for (const piece of body) {
        if (stop) {
          return;
        }
        if (
          !socket.write(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]))
        ) {
          await new Promise((r) => socket.once('drain', r));
        }
      }
      if (!stop) {
        socket.write('0\r\n\r\n');
      }
    })().catch(() => undefined);
  });
}

forEachDatabase(
  (getCtx) => {
    const count = async () =>
      (await getCtx().db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stream_rows`)).rows[0].n;
    const reset = () => getCtx().db.query('TRUNCATE stream_rows');
    const readBack = async () =>
      (
        await getCtx().db.query<{ t: Date; k: string; v: number; n: number; meta: unknown }>(
          `SELECT t, k, v, n, meta FROM stream_rows ORDER BY n`
        )
      ).rows.map((r) => ({
        t: r.t.toISOString(),
        k: r.k,
        v: r.v,
        n: r.n,
        meta: r.meta,
      }));

    /** Waits until the server runs a COPY into stream_rows (PostgreSQL); the embedded database has no COPY. */
    const copyRunning = async () => {
      if (getCtx().driver !== 'postgres') {
        return sleep(50);
      }
      for (let i = 0; i < 200; i++) {
        const res = await getCtx().db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY "public"."stream_rows"%' AND state <> 'idle'`
        );
        if (res.rows[0].n > 0) {
          return;
        }
        await sleep(10);
      }
      throw new Error('the COPY never started');
    };

    /** No session of this database is left inside a transaction or a COPY. */
    const noOpenTransactions = async () => {
      if (getCtx().driver !== 'postgres') {
        return;
      }
      for (let i = 0; i < 200; i++) {
        const res = await getCtx().db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND (state LIKE 'idle in transaction%' OR query LIKE 'COPY%' AND state <> 'idle')`
        );
        if (res.rows[0].n === 0) {
          return;
        }
        await sleep(10);
      }
      assert.fail('a session stayed inside a transaction');
    };

    it('inserts a JSON array sent in small pieces, every value intact', async () => {
      await reset();
      const rows = rowsFor(3000);
      const res = await postInPieces(getCtx(), 'stream_rows', pieces(JSON.stringify(rows, null, 1), 700));
      assert.deepEqual(res, { status: 201, body: { inserted: 3000 } });
      assert.deepEqual(await readBack(), rows);
    });

    it('streams NDJSON and CSV bodies the same way', async () => {
      await reset();
      const rows = rowsFor(2000);
      const ndjson = rows.map((r) => JSON.stringify(r)).join('\r\n');
      const nd = await postInPieces(getCtx(), 'stream_rows', pieces(ndjson, 500), {
        contentType: 'application/x-ndjson',
      });
      assert.deepEqual(nd, { status: 201, body: { inserted: 2000 } });
      assert.deepEqual(await readBack(), rows);

      await reset();
      const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
      const csv =
        'n,t,k,v,meta\n' +
        rows
          .map((r) => [r.n, r.t, quote(r.k), r.v, r.meta === null ? '' : quote(JSON.stringify(r.meta))].join(','))
          .join('\n') +
        '\n';
      const res = await postInPieces(getCtx(), 'stream_rows', pieces(csv, 500), { contentType: 'text/csv' });
      assert.deepEqual(res, { status: 201, body: { inserted: 2000 } });
      assert.deepEqual(await readBack(), rows);
    });

    it('answers malformed JSON late in the body with 400 and inserts nothing', async () => {
      await reset();
      const rows = rowsFor(20_000);
      const text = JSON.stringify(rows).replace('"n":15000,', '"n":15000,,');
      const res = await postInPieces(getCtx(), 'stream_rows', pieces(text, 64 * 1024));
      assert.notEqual(res, 'aborted');
      const { status, body } = res as Answer;
      assert.equal(status, 400);
      assert.equal(body.error, 'malformed_body');
      assert.match(body.message, /not valid JSON/);
      assert.equal(await count(), 0);
      await noOpenTransactions();
    });

    it('inserts nothing when row 90,000 of 100,000 has a bad value, and names it', async () => {
      await reset();
      const rows = rowsFor(100_000);
      rows[90_000].v = 'warm';
      const res = await api(getCtx(), '/timescaledb/data/stream_rows', { method: 'POST', body: rows });
      assert.equal(res.status, 400, res.text.slice(0, 300));
      assert.equal(res.body.error, 'invalid_value');
      assert.deepEqual(res.body.details.errors, [
        { row: 90_000, column: 'v', reason: 'expected a number, got "warm"' },
      ]);
      assert.equal(await count(), 0);
      await noOpenTransactions();
    });

    it('answers 413 when a body without Content-Length grows over the limit, and inserts nothing', async () => {
      await reset();
      const rows = rowsFor(140_000); // a little over 12 MiB of JSON
      const text = JSON.stringify(rows);
      assert.ok(Buffer.byteLength(text) > BODY_LIMIT);
      const res = await postRaw(getCtx(), 'stream_rows', pieces(text, 64 * 1024));
      assert.equal(res.status, 413, JSON.stringify(res.body));
      assert.equal(res.body.error, 'body_too_large');
      assert.deepEqual(res.body.details, { limitBytes: BODY_LIMIT });
      assert.match(res.head, /^connection: close$/im, 'the rest of the body is not read as a next request');
      assert.equal(await count(), 0);
      await noOpenTransactions();
    });

    it('rolls back and frees the connection when the client goes away mid-body', async () => {
      await reset();
      const body = pieces(JSON.stringify(rowsFor(20_000)), 16 * 1024);
      // More aborted requests than the pool has connections: a leaked one would starve the next POST.
      for (let i = 0; i < 12; i++) {
        const res = await postInPieces(getCtx(), 'stream_rows', body, {
          abortAfter: Math.floor(body.length / 2),
          beforeAbort: copyRunning,
        });
        assert.equal(res, 'aborted');
      }
      await noOpenTransactions();
      assert.equal(await count(), 0);
      const ok = await postInPieces(getCtx(), 'stream_rows', pieces(JSON.stringify(rowsFor(500)), 4096));
      assert.deepEqual(ok, { status: 201, body: { inserted: 500 } });
    });

    it('reports a body that is not JSON before a missing scope or an unknown table', async () => {
      const ctx = getCtx();
      const post = (table: string, body: string, token = ctx.token) =>
        api(ctx, `/timescaledb/data/${table}`, {
          method: 'POST',
          body,
          token,
          headers: { 'content-type': 'application/json' },
        });
      const bad = '[{"n": 1}, {"n": ';
      assert.deepEqual(
        [(await post('no_such_table', bad)).body.error, (await post('stream_rows', bad, ctx.tokens.reader)).body.error],
        ['malformed_body', 'malformed_body']
      );
      assert.equal((await post('no_such_table', '[{"n": 1}]')).status, 404);
      assert.equal((await post('stream_rows', '[{"n": 1}]', ctx.tokens.reader)).status, 403);
    });

    it('refuses prototype keys as the JSON parser does, in small and large batches', async () => {
      await reset();
      const small = await api(getCtx(), '/timescaledb/data/stream_rows', {
        method: 'POST',
        body: '[{"n": 1, "meta": {"__proto__": {"x": 1}}}]',
        headers: { 'content-type': 'application/json' },
      });
      assert.deepEqual([small.status, small.body.error], [400, 'malformed_body']);
      const text = JSON.stringify(rowsFor(3000)).replace(
        '"n":2501,"meta":null',
        '"n":2501,"meta":{"__proto__":{"x":1}}'
      );
      assert.match(text, /__proto__/);
      const large = await postInPieces(getCtx(), 'stream_rows', pieces(text, 8192));
      assert.deepEqual([(large as Answer).status, (large as Answer).body.error], [400, 'malformed_body']);
      assert.equal(await count(), 0);
    });
  },
  {
    env: { COPY_THRESHOLD_ROWS: '100', BODY_LIMIT: String(BODY_LIMIT) },
    setup: async (db) => {
      await db.query(
        `CREATE TABLE stream_rows (t timestamptz NOT NULL, k text NOT NULL, v double precision, n integer, meta jsonb)`
      );
    },
  }
);

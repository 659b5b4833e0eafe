import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';
import { frameValues, liveBody, openSse, type SseClient, type SseEvent } from './helpers/sse-client';

const TABLE = 'live_readings';

const streamBody = (extra: Record<string, unknown> = {}) => liveBody(TABLE, extra);

const hasValue = (v: number) => (e: SseEvent) => e.event === 'frame' && frameValues(e, 'value').includes(v);
const uniqueValue = () => Math.round(Math.random() * 1e9) / 1000;

async function open(ctx: TestContext, body: unknown = streamBody(), token = ctx.token): Promise<SseClient> {
  const client = await openSse(`${ctx.baseUrl}/api/v1/stream`, token, body);
  assert.equal(client.status, 200, JSON.stringify(client.errorBody));
  // The first event brings the window up to date; after it the stream waits for changes.
  await client.next((e) => e.event === 'frame');
  return client;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

forEachDatabase(
  (ctx) => {
    it('sends the SSE headers at once, then a first frame with the rows already in the window', async () => {
      const c = ctx();
      const value = uniqueValue();
      await c.db.query(`INSERT INTO ${TABLE} (time, sensor, value) VALUES (now() - interval '5 minutes', 'old', $1)`, [
        value,
      ]);
      const client = await openSse(`${c.baseUrl}/api/v1/stream`, c.token, streamBody());
      try {
        assert.equal(client.status, 200);
        assert.match(String(client.headers['content-type']), /^text\/event-stream/);
        assert.equal(client.headers['cache-control'], 'no-cache, no-transform');
        assert.equal(client.headers['x-accel-buffering'], 'no');
        const first = await client.next((e) => e.event === 'frame');
        assert.ok(frameValues(first, 'value').includes(value), 'the whole window comes first without a cursor');
        assert.match(first.id ?? '', /^\d+$/, 'every frame event carries its cursor as id');
      } finally {
        client.close();
      }
    });

    it('delivers a row POSTed through the gateway within a second', async () => {
      const c = ctx();
      const client = await open(c);
      try {
        for (let i = 0; i < 3; i++) {
          const value = uniqueValue();
          const started = performance.now();
          const posted = await api(c, `/timescaledb/data/${TABLE}`, {
            body: { time: new Date().toISOString(), sensor: 'post', value },
          });
          assert.equal(posted.status, 201);
          const event = await client.next(hasValue(value), 5000);
          assert.ok(event.at - started < 1000, `arrived after ${Math.round(event.at - started)} ms`);
        }
      } finally {
        client.close();
      }
    });

    it('delivers a row written outside the gateway (psql / plain SQL) through the change trigger', async () => {
      const c = ctx();
      const client = await open(c);
      try {
        const value = uniqueValue();
        const started = performance.now();
        const insert = `INSERT INTO ${TABLE} (time, sensor, value) VALUES (now(), 'psql', ${value})`;
        if (c.driver === 'postgres') {
          await promisify(execFile)('psql', [c.app.config.databaseUrl!, '-v', 'ON_ERROR_STOP=1', '-c', insert]);
        } else {
          await c.db.query(insert);
        }
        const event = await client.next(hasValue(value), 5000);
        assert.ok(
          event.at - started < 2000,
          `arrived after ${Math.round(event.at - started)} ms (the safety poll is off here)`
        );
        const trigger = await c.db.query(
          `SELECT 1 FROM pg_trigger WHERE tgname = 'tsgw_live_change' AND tgrelid = '${TABLE}'::regclass`
        );
        assert.equal(trigger.rowCount, 1, 'the statement trigger was installed on the first live query');
      } finally {
        client.close();
      }
    });

    it('catches up with rows written while the LISTEN connection was gone (pg_terminate_backend)', async (t) => {
      const c = ctx();
      if (c.driver !== 'postgres') {
        return t.skip('the embedded database has no other session that could kill it');
      }
      const client = await open(c);
      try {
        await c.db.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'timescaledb-gateway-listen' AND datname = current_database()`
        );
        const deadline = Date.now() + 5000;
        while (c.app.notifications.connected && Date.now() < deadline) {
          await sleep(10);
        }
        assert.equal(c.app.notifications.connected, false, 'the LISTEN connection noticed it was killed');
        // Written while nobody listens: its NOTIFY is lost; only the catch-up on reconnect can find it.
        const value = uniqueValue();
        await promisify(execFile)('psql', [
          c.app.config.databaseUrl!,
          '-c',
          `INSERT INTO ${TABLE} (time, sensor, value) VALUES (now(), 'lost', ${value})`,
        ]);
        await client.next(hasValue(value), 15_000);
        assert.equal(c.app.notifications.connected, true);
      } finally {
        client.close();
      }
    });

    it('shares one run per change among the streams of the same query', async () => {
      const c = ctx();
      const clients = [await open(c), await open(c, streamBody(), c.tokens.reader)];
      try {
        const before = c.app.live.stats();
        assert.equal(before.queries, 1, 'two streams of the same query share one live query');
        const value = uniqueValue();
        await api(c, `/timescaledb/data/${TABLE}`, {
          body: { time: new Date().toISOString(), sensor: 'shared', value },
        });
        await Promise.all(clients.map((cl) => cl.next(hasValue(value), 5000)));
        const runs = c.app.live.stats().runs - before.runs;
        assert.ok(runs >= 1 && runs <= 2, `one change, ${runs} runs`);
      } finally {
        for (const cl of clients) {
          cl.close();
        }
      }
    });

    it('multiplexes queries on one stream, each frame named by its refId', async () => {
      const c = ctx();
      const body = streamBody();
      body.queries.push({
        refId: 'B',
        mode: 'builder',
        table: TABLE,
        metrics: [{ column: 'value', aggregation: 'max' }],
        bucket: '1m',
      } as never);
      const client = await open(c, body);
      try {
        await client.next((e) => e.event === 'frame' && JSON.parse(e.data).refId === 'B');
        const value = 1e6 + uniqueValue();
        await api(c, `/timescaledb/data/${TABLE}`, { body: { time: new Date().toISOString(), sensor: 'mux', value } });
        const a = await client.next((e) => hasValue(value)(e) && JSON.parse(e.data).refId === 'A', 5000);
        const b = await client.next(
          (e) =>
            e.event === 'frame' && JSON.parse(e.data).refId === 'B' && frameValues(e, 'max(value)').includes(value),
          5000
        );
        assert.ok(JSON.parse(a.data).from <= Date.now());
        assert.ok(JSON.parse(b.data).frames.length >= 1);
      } finally {
        client.close();
      }
    });

    it('streams an SQL-mode query, woken by a change of any table', async () => {
      const c = ctx();
      const body = streamBody({
        queries: [
          {
            refId: 'S',
            mode: 'sql',
            format: 'time_series',
            rawSql: `SELECT time, value FROM ${TABLE} WHERE $__timeFilter(time) ORDER BY 1`,
          },
        ],
      });
      const client = await open(c, body);
      try {
        const value = uniqueValue();
        await api(c, `/timescaledb/data/${TABLE}`, { body: { time: new Date().toISOString(), sensor: 'sql', value } });
        const event = await client.next(hasValue(value), 5000);
        assert.equal(JSON.parse(event.data).refId, 'S');
      } finally {
        client.close();
      }
    });

    it('gives each multiplexed query its own window from contexts', async () => {
      const c = ctx();
      const value = uniqueValue();
      await c.db.query(`INSERT INTO ${TABLE} (time, sensor, value) VALUES (now() - interval '30 minutes', 'ctx', $1)`, [
        value,
      ]);
      const body = streamBody();
      body.queries.push({ ...body.queries[0], refId: 'B' });
      const now = Date.now();
      const client = await openSse(`${c.baseUrl}/api/v1/stream`, c.token, {
        ...body,
        contexts: { B: { range: { from: String(now - 600_000), to: String(now) } } },
      });
      try {
        const a = await client.next((e) => e.event === 'frame' && JSON.parse(e.data).refId === 'A');
        const b = await client.next((e) => e.event === 'frame' && JSON.parse(e.data).refId === 'B');
        assert.ok(frameValues(a, 'value').includes(value), 'A looks back an hour');
        assert.ok(!frameValues(b, 'value').includes(value), 'B looks back ten minutes only');
        assert.equal(c.app.live.stats().queries, 2, 'different windows are different live queries');
      } finally {
        client.close();
      }
    });

    it('holds a paused reader to its buffer limit and catches it up when it reads again', async () => {
      const c = ctx();
      // About 100 kB per delta: the socket buffers fill quickly once the reader stops.
      await c.db.query(
        `INSERT INTO ${TABLE} (time, sensor, value) SELECT now() - (i * interval '10 milliseconds'), 'bulk', i FROM generate_series(1, 3000) AS i`
      );
      const body = { ...streamBody(), intervalMs: 60_000 };
      const client = await open(c, body);
      client.pause();
      let maxBuffered = 0;
      let last = 0;
      try {
        for (let i = 0; i < 300 && c.app.live.stats().skipped < 5; i++) {
          last = 2e6 + uniqueValue();
          await api(c, `/timescaledb/data/${TABLE}`, {
            body: { time: new Date().toISOString(), sensor: 'paused', value: last },
          });
          await sleep(20);
          maxBuffered = Math.max(maxBuffered, ...c.app.live.stats().buffered);
        }
        const stats = c.app.live.stats();
        assert.ok(stats.skipped >= 5, `deltas were held back for the stalled reader (${stats.skipped})`);
        // The limit (4 kB here) plus the one event that crossed it.
        assert.ok(maxBuffered < 4096 + 250_000, `at most ${maxBuffered} bytes waited for the reader`);
        client.resume();
        await client.next(hasValue(last), 10_000);
      } finally {
        client.close();
        await c.db.query(`DELETE FROM ${TABLE} WHERE sensor = 'bulk'`);
      }
    });

    it('answers a bad stream request with JSON before any byte of the stream', async () => {
      const c = ctx();
      const unknown = await openSse(`${c.baseUrl}/api/v1/stream`, c.token, {
        ...streamBody(),
        queries: [
          { refId: 'A', mode: 'builder', table: 'live_nope', metrics: [{ column: 'value', aggregation: 'avg' }] },
        ],
      });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.errorBody.error, 'unknown_table');
      const sql = await openSse(`${c.baseUrl}/api/v1/stream`, c.tokens.reader, {
        ...streamBody(),
        queries: [{ refId: 'A', mode: 'sql', rawSql: 'SELECT 1' }],
      });
      assert.equal(sql.status, 403);
      assert.equal(sql.errorBody.error, 'forbidden');
    });

    it('releases the live query when its last stream closes', async () => {
      const c = ctx();
      const client = await open(c);
      assert.equal(c.app.live.stats().streams, 1);
      client.close();
      const deadline = Date.now() + 3000;
      while (c.app.live.stats().streams > 0 && Date.now() < deadline) {
        await sleep(20);
      }
      assert.deepEqual(
        { streams: c.app.live.stats().streams, queries: c.app.live.stats().queries },
        { streams: 0, queries: 0 }
      );
    });
  },
  {
    env: { LIVE_POLL_MS: '0', LIVE_STREAM_BUFFER_BYTES: '4096' },
    setup: async (db, { timescale }) => {
      await db.query(`CREATE TABLE ${TABLE} (time timestamptz NOT NULL, sensor text NOT NULL, value double precision)`);
      if (timescale) {
        await db.query(`SELECT create_hypertable('${TABLE}', 'time')`);
      }
    },
  }
);

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { forEachDatabase, NO_SHEDDING, TOKEN_SPEC, TOKENS, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';
import { frameValues, liveBody, openSse, type SseClient } from './helpers/sse-client';

const TABLE = 'live_limits';

const streamBody = (extra: Record<string, unknown> = {}) => liveBody(TABLE, extra);

const stream = (ctx: TestContext, token: string, body: unknown = streamBody()) =>
  openSse(`${ctx.baseUrl}/api/v1/stream`, token, body);

forEachDatabase(
  (ctx) => {
    it('refuses a stream over the per-token limit with 429 and over the total with 503, as JSON', async () => {
      const c = ctx();
      const open: SseClient[] = [];
      try {
        open.push(await stream(c, c.tokens.reader), await stream(c, c.tokens.reader));
        for (const s of open) {
          assert.equal(s.status, 200);
        }
        const third = await stream(c, c.tokens.reader);
        assert.equal(third.status, 429);
        assert.match(String(third.headers['content-type']), /application\/json/);
        assert.equal(third.errorBody.error, 'too_many_streams');
        assert.deepEqual(third.errorBody.details, { open: 2, max: 2 });
        open.push(await stream(c, c.tokens.admin));
        assert.equal(open[2].status, 200, 'another token still has room');
        const full = await stream(c, c.tokens.admin);
        assert.equal(full.status, 503);
        assert.equal(full.errorBody.error, 'live_streams_exhausted');
        // A closed stream frees its place.
        open.shift()!.close();
        const deadline = Date.now() + 3000;
        let again = await stream(c, c.tokens.reader);
        while (again.status !== 200 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          again = await stream(c, c.tokens.reader);
        }
        assert.equal(again.status, 200);
        open.push(again);
      } finally {
        for (const s of open) {
          s.close();
        }
      }
    });

    it('ends a stream at its maximum lifetime with its cursor, and a reconnect with it misses nothing', async () => {
      const c = ctx();
      const first = await stream(c, c.token);
      assert.equal(first.status, 200);
      await first.next((e) => e.event === 'frame');
      const end = await first.next((e) => e.event === 'end', 5000);
      const { reason, cursors } = JSON.parse(end.data);
      assert.equal(reason, 'max_lifetime');
      assert.match(cursors.A, /^\d+$/);
      await first.closed;
      // Written between the streams: the reconnect's first event must bring it.
      const value = Math.random() * 1000;
      const posted = await api(c, `/timescaledb/data/${TABLE}`, { body: { time: new Date().toISOString(), value } });
      assert.equal(posted.status, 201);
      const second = await stream(c, c.token, streamBody({ cursors }));
      try {
        const delta = await second.next((e) => e.event === 'frame');
        const data = JSON.parse(delta.data);
        assert.ok(frameValues(delta, 'value').includes(value), 'the row written while disconnected arrives first');
        assert.ok(
          data.from >= Number(cursors.A) - 10_000 && data.from <= Number(cursors.A),
          'only the tail after the cursor is sent again'
        );
      } finally {
        second.close();
      }
    });

    it('sends a comment ping while nothing changes', async () => {
      const c = ctx();
      const s = await stream(c, c.token);
      try {
        await s.next((e) => e.event === 'frame');
        const deadline = Date.now() + 3000;
        while (!s.comments.includes('ping') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(s.comments.includes('ping'), `comments: ${s.comments.join(', ')}`);
      } finally {
        s.close();
      }
    });
  },
  {
    env: {
      LIVE_MAX_STREAMS_PER_TOKEN: '2',
      LIVE_MAX_STREAMS: '3',
      LIVE_MAX_STREAM_SECONDS: '2',
      LIVE_PING_MS: '300',
      LIVE_POLL_MS: '0',
    },
    setup: async (db) => {
      await db.query(`CREATE TABLE ${TABLE} (time timestamptz NOT NULL, value double precision)`);
    },
  }
);

describe('live streams at shutdown', () => {
  it('ends open streams with a shutting_down event at once, so the drain does not wait out its grace', async () => {
    const app = await buildApp(
      loadConfig({ GATEWAY_TOKENS: TOKEN_SPEC, LOG_LEVEL: 'silent', PORT: '0', DATA_DIR: 'memory://', ...NO_SHEDDING })
    );
    await app.db.query(`CREATE TABLE ${TABLE} (time timestamptz NOT NULL, value double precision)`);
    await app.catalog.refresh();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const s = await openSse(`http://127.0.0.1:${port}/api/v1/stream`, TOKENS.admin, streamBody());
    assert.equal(s.status, 200);
    await s.next((e) => e.event === 'frame');
    const started = performance.now();
    const drained = app.drainAndClose(10_000);
    const end = await s.next((e) => e.event === 'end', 5000);
    assert.equal(JSON.parse(end.data).reason, 'shutting_down');
    await drained;
    assert.ok(performance.now() - started < 5000, `the drain took ${Math.round(performance.now() - started)} ms`);
  });
});

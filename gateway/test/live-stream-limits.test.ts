import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';
import { frameValues, openSse, type SseClient } from './helpers/sse-client';

const TABLE = 'live_limits';
const HOUR = 3_600_000;

function streamBody(extra: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    range: { from: String(now - HOUR), to: String(now) },
    intervalMs: 1000,
    queries: [{ refId: 'A', mode: 'builder', table: TABLE, metrics: [{ column: 'value', aggregation: 'none' }] }],
    ...extra,
  };
}

const stream = (ctx: TestContext, token: string, body: unknown = streamBody()) => openSse(`${ctx.baseUrl}/api/v1/stream`, token, body);

forEachDatabase(
  (ctx) => {
    it('refuses a stream over the per-token limit with 429 and over the total with 503, as JSON', async () => {
      const c = ctx();
      const open: SseClient[] = [];
      try {
        open.push(await stream(c, c.tokens.reader), await stream(c, c.tokens.reader));
        for (const s of open) assert.equal(s.status, 200);
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
        for (const s of open) s.close();
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
        assert.ok(data.from >= Number(cursors.A) - 10_000 && data.from <= Number(cursors.A), 'only the tail after the cursor is sent again');
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
        while (!s.comments.includes('ping') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.ok(s.comments.includes('ping'), `comments: ${s.comments.join(', ')}`);
      } finally {
        s.close();
      }
    });
  },
  {
    env: { LIVE_MAX_STREAMS_PER_TOKEN: '2', LIVE_MAX_STREAMS: '3', LIVE_MAX_STREAM_SECONDS: '2', LIVE_PING_MS: '300', LIVE_POLL_MS: '0' },
    setup: async (db) => {
      await db.query(`CREATE TABLE ${TABLE} (time timestamptz NOT NULL, value double precision)`);
    },
  }
);

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXAMPLE_PAGES_DIR } from '../src/example-pages-dir';
import { forEachDatabase } from './helpers/test-context';
import { api } from './helpers/http';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy';

/**
 * The example pages' live modules (gateway/pages/*.js, plain browser modules) run in Node
 * against a real gateway: the stream body reads what the page's REST request reads, a page
 * follows from its REST answer without doubling or missing rows, and a dropped connection is
 * resumed from the last cursor. The browser spec (e2e/specs/examplePagesLive.test.ts) shows the
 * charts doing the same.
 */

// Loaded as the files the gateway serves (they have no type declarations of their own).
const page = (file: string): Promise<any> => import(pathToFileURL(join(EXAMPLE_PAGES_DIR, file)).href);
const [
  { createGatewayClient },
  { loadSensorSeries },
  { liveRequest, cursorOf, mergeFrame },
  { followStream },
  { sseEvents },
] = await Promise.all(
  ['gateway-client.js', 'sensor-series.js', 'live-series.js', 'live-stream.js', 'sse-reader.js'].map(page)
);

interface Series {
  sensor: string;
  x: Date[];
  y: Array<number | null>;
}
interface FrameEvent {
  from: number | null;
  to: number;
  frames: unknown[];
  error?: string;
}

const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(25);
  }
}

const client = (origin: string, token: string) => {
  const c = createGatewayClient(origin);
  c.setToken(token);
  return c;
};

/** The first frame event of a stream of `body`: the whole window without a cursor. */
async function firstFrame(c: ReturnType<typeof client>, body: unknown): Promise<FrameEvent> {
  const controller = new AbortController();
  const response = await c.openStream(body, controller.signal);
  try {
    for await (const event of sseEvents(response.body)) {
      if (event.event === 'frame') {
        return JSON.parse(event.data);
      }
    }
    throw new Error('the stream ended without a frame');
  } finally {
    controller.abort();
  }
}

const countsOf = (series: Series[]) => Object.fromEntries(series.map((s) => [s.sensor, s.x.length]));

const assertTimeOrdered = (series: Series[]) => {
  for (const s of series) {
    for (let i = 1; i < s.x.length; i++) {
      assert.ok(s.x[i - 1] < s.x[i], `${s.sensor}: point ${i} is after the one before (no point twice)`);
    }
  }
};

forEachDatabase(
  (ctx) => {
    it('streams the same points per sensor as the REST request, raw and as buckets', async () => {
      const c = client(ctx().baseUrl, ctx().token);
      for (const span of [HOUR, 6 * HOUR]) {
        const to = new Date();
        const from = new Date(to.getTime() - span);
        const rest: { bucket: string | null; series: Series[] } = await loadSensorSeries(c, from, to);
        const event = await firstFrame(c, liveRequest('timestamp', from, to));
        assert.ok(
          event.from !== null && event.to - event.from >= span,
          'without a cursor the first event holds the whole window'
        );
        const streamed: Series[] = mergeFrame([], event).series;
        // The stream's window starts a moment later: compare from its start, past the first (partial) bucket.
        const start = event.from! + (rest.bucket ? 60_000 : 0);
        const since = (series: Series[]) =>
          Object.fromEntries(
            series.map((s) => {
              const keep = s.x.map((t, i) => [t.getTime(), s.y[i]] as const).filter(([t]) => t >= start);
              return [s.sensor, keep];
            })
          );
        const a = since(rest.series);
        const b = since(streamed);
        assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
        for (const sensor of Object.keys(a)) {
          assert.ok(a[sensor].length > 10, `${sensor}: ${a[sensor].length} points to compare`);
          assert.deepEqual(
            b[sensor].map(([t]) => t),
            a[sensor].map(([t]) => t),
            `${sensor}: the same times (${rest.bucket ?? 'raw'})`
          );
          b[sensor].forEach(([, v], i) =>
            assert.ok(Math.abs(Number(v) - Number(a[sensor][i][1])) < 1e-4, `${sensor}: ${v} ≈ ${a[sensor][i][1]}`)
          );
        }
      }
    });

    describe('following a REST answer', () => {
      let proxy: TcpProxy;
      after(async () => proxy?.close());

      it('adds a POSTed row once, and after a dropped connection resumes from the cursor with the row written meanwhile', async () => {
        const c = ctx();
        proxy = await startTcpProxy(0, Number(new URL(c.baseUrl).port));
        const viaProxy = client(`http://127.0.0.1:${proxy.port}`, c.token);
        const to = new Date();
        const from = new Date(to.getTime() - HOUR);
        const rest: { timeColumn: string; series: Series[] } = await loadSensorSeries(viaProxy, from, to);
        const before = countsOf(rest.series);

        let series = rest.series;
        const merges: Array<{ appended: Map<string, { x: Date[] }> | null }> = [];
        const states: Array<{ state: string; connections: number }> = [];
        const follower = followStream({
          client: viaProxy,
          body: liveRequest(rest.timeColumn, from, to),
          cursor: cursorOf(series),
          onState: (state: string, detail: { connections: number }) =>
            states.push({ state, connections: detail.connections }),
          onFrame: (event: FrameEvent) => {
            const merged = mergeFrame(series, event);
            series = merged.series;
            merges.push(merged);
          },
        });
        try {
          await until('the catch-up frame', () => merges.length >= 1);
          assert.ok(merges[0].appended, 'the re-sent tail equals the points drawn: an append, not a redraw');
          assert.equal(merges[0].appended!.size, 0, 'and nothing new to append');
          assert.deepEqual(countsOf(series), before, 'the tail re-sent after the cursor is not drawn twice');

          const posted = await api(c, '/timescaledb/data/sensor_data', {
            body: { timestamp: new Date().toISOString(), sensor_id: 's1', temperature: 99.5 },
          });
          assert.equal(posted.status, 201, JSON.stringify(posted.body));
          await until('the POSTed row', () => countsOf(series).s1 === before.s1 + 1);
          assert.ok(
            merges.some((m) => m.appended?.get('s1')?.x.length === 1),
            'the row only extends its series'
          );

          proxy.down();
          await until('the drop to be seen', () => states.some((s) => s.state === 'reconnecting'));
          const meanwhile = await api(c, '/timescaledb/data/sensor_data', {
            body: { timestamp: new Date().toISOString(), sensor_id: 's2', temperature: -7.25 },
          });
          assert.equal(meanwhile.status, 201);
          await sleep(300);
          proxy.up();
          await until('the row written while disconnected', () => countsOf(series).s2 === before.s2 + 1, 20_000);
          assert.ok(
            states.some((s) => s.state === 'live' && s.connections === 2),
            'a second connection was opened'
          );
          assert.deepEqual(countsOf(series), { ...before, s1: before.s1 + 1, s2: before.s2 + 1 });
          assert.equal(series.find((s) => s.sensor === 's2')!.y.at(-1), -7.25);
          assertTimeOrdered(series);
        } finally {
          follower.stop();
        }
      });
    });
  },
  {
    setup: async (db, { timescale }) => {
      await db.query(
        'CREATE TABLE sensor_data (timestamp timestamptz NOT NULL, sensor_id text NOT NULL, temperature real, humidity real)'
      );
      if (timescale) {
        await db.query(`SELECT create_hypertable('sensor_data', 'timestamp')`);
      }
      // Three sensors, a reading every 10 s for the last seven hours, as the demo has.
      await db.query(
        `INSERT INTO sensor_data (timestamp, sensor_id, temperature, humidity)
         SELECT now() - interval '20 seconds' - i * interval '10 seconds', 's' || s, 20 + s + sin(i / 30.0)::real, 50
         FROM generate_series(0, 2520) AS i, generate_series(1, 3) AS s`
      );
    },
  }
);

describe('the pages’ Server-Sent Events reader', () => {
  const bodyOf = (chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) {
          controller.enqueue(new TextEncoder().encode(chunk));
        }
        controller.close();
      },
    });

  it('reads events split anywhere across chunks, with comments, CRLF and several data lines', async () => {
    const events = [];
    const body = bodyOf([
      ': stream open\n\nevent: fr',
      'ame\nid: 12\ndata: {"a":',
      '1}\n\n: ping\n\r\nevent: end\r\ndata: x\r\nda',
      'ta: y\r\n\r\n',
      'data: unterminated',
    ]);
    for await (const e of sseEvents(body)) {
      events.push(e);
    }
    assert.deepEqual(events, [
      { event: 'frame', id: '12', data: '{"a":1}' },
      { event: 'end', id: '12', data: 'x\ny' },
    ]);
  });

  it('gives up on a connection that stays silent', async () => {
    const silent = new ReadableStream<Uint8Array>({ start() {} });
    await assert.rejects(async () => {
      for await (const _ of sseEvents(silent, { idleMs: 100 })) {
        void _;
      }
    }, /no data for 0 s/);
  });
});

describe('merging a frame event into the series', () => {
  const frameOf = (rows: Array<[number, string, number]>) => ({
    schema: {
      fields: [
        { name: 'time', type: 'time' },
        { name: 'sensor_id', type: 'string' },
        { name: 'temperature', type: 'number' },
      ],
    },
    data: { values: [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])] },
  });
  const drawn = (): Series[] => [{ sensor: 'a', x: [new Date(1000), new Date(2000)], y: [1, 2] }];

  it('draws again when a point already drawn changed (a bucket whose average moved)', () => {
    const { series, appended } = mergeFrame(drawn(), {
      from: 2000,
      to: 4000,
      frames: [
        frameOf([
          [2000, 'a', 2.5],
          [3000, 'a', 3],
        ]),
      ],
    });
    assert.equal(appended, null);
    assert.deepEqual(series[0].y, [1, 2.5, 3]);
  });

  it('replaces everything when the event starts the window (from null), and adds new sensors', () => {
    const { series, appended } = mergeFrame(drawn(), { from: null, to: 4000, frames: [frameOf([[3000, 'b', 9]])] });
    assert.equal(appended, null, 'sensor a went: the chart is drawn again');
    assert.deepEqual(
      series.map((s: Series) => [s.sensor, s.x.map(Number), s.y]),
      [['b', [3000], [9]]]
    );
  });

  it('keeps the points before `from` and leaves them alone on an empty answer', () => {
    const empty = { schema: { fields: [] }, data: { values: [] } };
    const { series, appended } = mergeFrame(drawn(), { from: 2500, to: 4000, frames: [empty] });
    assert.deepEqual(appended, new Map());
    assert.deepEqual(series[0].y, [1, 2]);
  });
});

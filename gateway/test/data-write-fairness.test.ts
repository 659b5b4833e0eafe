import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase, type TestContext } from './helpers/test-context';
import { api } from './helpers/http';

/**
 * Large hostile POST bodies do not hold the event loop: a 10 MB body of junk rows (CSV,
 * JSON, NDJSON) is refused with the first bad rows (row and column each), while `/health`
 * keeps answering; and a value the database cannot index (SQLSTATE 54000) is a 400 naming its
 * row and column, never a 500.
 *
 * The latency bound is loose on purpose (the machine is shared): before this, /health did
 * not answer at all for the 30 s such a body took.
 */

/**
 * Bounds loose enough for a shared machine (at a load average of 30 on 2 cores one 32 kB CSV
 * slice took 180 ms here, and /health answered in 20–1000 ms): before, /health did not answer
 * for the 30 s such a body took. The figures are printed.
 */
const HEALTH_BOUND_MS = 3000;
/** Checking stops at the first bad rows: the answer does not wait for the rest of the body's rows. */
const ANSWER_BOUND_MS = 20_000;
const T0 = '2025-01-01T00:00:00.000Z';
const TEN_MB = 10 * 1024 * 1024;

const sensorCount = async (ctx: TestContext) =>
  (await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sensor_data')).rows[0].n;

/** Polls /health while `work` runs: each answer's latency in ms. */
async function healthLatenciesDuring<T>(
  ctx: TestContext,
  work: Promise<T>
): Promise<{ result: T; latencies: number[] }> {
  let done = false;
  const latencies: number[] = [];
  const poller = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${ctx.baseUrl}/health`);
      await res.text();
      if (done) {
        break;
      }
      assert.equal(res.status, 200);
      latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const result = await work.finally(() => (done = true));
  await poller;
  return { result, latencies };
}

function junkBody(kind: 'csv' | 'json' | 'ndjson'): { body: Buffer; contentType: string } {
  const { text, contentType } = junkText(kind);
  // Bytes made before the clock starts: the client's own encoding is not the gateway's time.
  return { body: Buffer.from(text), contentType };
}

function junkText(kind: 'csv' | 'json' | 'ndjson'): { text: string; contentType: string } {
  if (kind === 'csv') {
    const line = 'x,y,z,w\n';
    return {
      text: 'time,sensor_id,temperature,humidity\n' + line.repeat(Math.floor(TEN_MB / line.length)),
      contentType: 'text/csv',
    };
  }
  const row = JSON.stringify({ time: 'x', sensor_id: 'y', temperature: 'z', humidity: 'w' });
  const count = Math.floor(TEN_MB / (row.length + 1));
  if (kind === 'ndjson') {
    return { text: (row + '\n').repeat(count), contentType: 'application/x-ndjson' };
  }
  return { text: '[' + Array(count).fill(row).join(',') + ']', contentType: 'application/json' };
}

forEachDatabase(
  (getCtx) => {
    for (const kind of ['csv', 'json', 'ndjson'] as const) {
      it(`refuses a 10 MB ${kind} body of junk rows with its first bad rows while /health keeps answering`, async () => {
        const ctx = getCtx();
        const { body, contentType } = junkBody(kind);
        const started = performance.now();
        const { result: res, latencies } = await healthLatenciesDuring(
          ctx,
          fetch(`${ctx.baseUrl}/timescaledb/data/sensor_data`, {
            method: 'POST',
            body,
            headers: { 'content-type': contentType, authorization: `Bearer ${ctx.token}` },
          }).then(async (r) => ({ status: r.status, text: await r.text() }))
        );
        const parsed = JSON.parse(res.text);
        const tookMs = performance.now() - started;
        assert.equal(res.status, 400, res.text.slice(0, 300));
        assert.equal(parsed.error, 'invalid_value');
        assert.match(parsed.message, /^Row 0, column "time": /);
        const errors = parsed.details.errors as Array<{ row: number; column: string }>;
        assert.equal(errors.length, 20, 'the first 20 bad values, then checking stops');
        assert.equal(parsed.details.truncated, true);
        assert.deepEqual(
          errors.slice(0, 3).map((e) => [e.row, e.column]),
          [
            [0, 'time'],
            [0, 'temperature'],
            [0, 'humidity'],
          ]
        );
        assert.equal(await sensorCount(ctx), 0, 'nothing is written');
        const sorted = [...latencies].sort((a, b) => a - b);
        const worst = sorted[sorted.length - 1];
        const median = sorted[Math.floor(sorted.length / 2)];
        console.log(
          `# ${ctx.driver} ${kind}: 400 after ${tookMs.toFixed(0)} ms; /health answered ${latencies.length} times, median ${median.toFixed(0)} ms, worst ${worst.toFixed(0)} ms`
        );
        assert.ok(tookMs < ANSWER_BOUND_MS, `the 400 took ${tookMs.toFixed(0)} ms`);
        assert.ok(latencies.length >= 1, 'at least one /health answer while the body was handled');
        assert.ok(
          worst < HEALTH_BOUND_MS,
          `/health took ${worst.toFixed(0)} ms at worst (${latencies.map((l) => l.toFixed(0)).join(', ')})`
        );
      });
    }

    it('answers a value too large for its index (SQLSTATE 54000) with 400 naming row and column', async () => {
      const ctx = getCtx();
      const long = 'a'.repeat(TEN_MB);
      const res = await api(ctx, '/timescaledb/data/sensor_data', {
        body: [{ time: T0, sensor_id: long, temperature: 1, humidity: 2 }],
      });
      assert.equal(res.status, 400, res.text.slice(0, 300));
      assert.equal(res.body.error, 'limit_exceeded');
      assert.match(res.body.message, /^Row 0, column "sensor_id": index row/);
      assert.deepEqual(
        res.body.details.errors.map((e: { row: number; column: string }) => [e.row, e.column]),
        [[0, 'sensor_id']]
      );
      assert.equal(res.body.details.sqlstate, '54000');
      assert.equal(await sensorCount(ctx), 0);
    });

    it('finds the too large index value in a large (COPY) batch too', async () => {
      const ctx = getCtx();
      const rows = Array.from({ length: 1500 }, (_, i) => ({
        time: new Date(Date.parse(T0) + i * 1000).toISOString(),
        sensor_id: `s${i % 5}`,
        temperature: i,
        humidity: 1,
      }));
      rows[1234] = { ...rows[1234], sensor_id: 'b'.repeat(TEN_MB) };
      const res = await api(ctx, '/timescaledb/data/sensor_data', { body: rows });
      assert.equal(res.status, 400, res.text.slice(0, 300));
      assert.equal(res.body.error, 'limit_exceeded');
      assert.match(res.body.message, /^Row 1234, column "sensor_id": index row/);
      assert.equal(await sensorCount(ctx), 0);
    });
  },
  {
    setup: async (db) => {
      await db.query(
        `CREATE TABLE sensor_data (time timestamptz NOT NULL, sensor_id text NOT NULL, temperature double precision, humidity double precision)`
      );
      await db.query(`CREATE INDEX sensor_data_sensor_time ON sensor_data (sensor_id, time DESC)`);
    },
  }
);

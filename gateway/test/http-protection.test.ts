import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { NO_SHEDDING } from './helpers/test-context';

/**
 * The HTTP server's protections, each on its own embedded in-memory app (no database work is
 * involved): per-token rate limits, slow clients that trickle their headers, load shedding
 * when the event loop falls behind, and the event-loop delay in /metrics.
 */

const SECRETS = { a: 'rate-token-a-0001', b: 'rate-token-b-0001' };

async function startApp(env: Record<string, string>): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApp(
    loadConfig({
      GATEWAY_TOKENS: `a:${SECRETS.a}:read;b:${SECRETS.b}:read`,
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      ...NO_SHEDDING,
      ...env,
    })
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

const get = (url: string, secret?: string) =>
  fetch(url, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rate limits per token', () => {
  let app: FastifyInstance;
  let url: string;
  before(async () => ({ app, url } = await startApp({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' })));
  after(async () => app?.close());

  it('answers 429 JSON with Retry-After past the limit, counting each token on its own, never limiting /health and /ready', async () => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await get(`${url}/api/v1/info`, SECRETS.a)).status, 200);
    }
    const refused = await get(`${url}/api/v1/info`, SECRETS.a);
    assert.equal(refused.status, 429);
    const body = (await refused.json()) as {
      error: string;
      message: string;
      details: { limit: number; retryAfterSeconds: number };
    };
    assert.equal(body.error, 'rate_limited');
    assert.equal(body.details.limit, 5);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${refused.headers.get('retry-after')}`);
    assert.equal((await get(`${url}/api/v1/info`, SECRETS.b)).status, 200, 'another token has its own budget');
    for (let i = 0; i < 10; i++) {
      assert.equal((await get(`${url}/health`)).status, 200);
      assert.notEqual((await get(`${url}/ready`)).status, 429);
    }
  });

  it('counts requests without a token per client address', async () => {
    let last = 0;
    for (let i = 0; i < 7; i++) {
      last = (await get(`${url}/openapi.json`)).status;
    }
    assert.equal(last, 429);
  });
});

describe('slow clients', () => {
  let app: FastifyInstance;
  let url: string;
  const HEADERS_TIMEOUT_MS = 3000;
  before(
    async () =>
      ({ app, url } = await startApp({ HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), MAX_CONNECTIONS: '400' }))
  );
  after(async () => app?.close());

  it('keeps answering normal requests fast while 200 connections trickle their headers, and closes those in time', async () => {
    const { port } = new URL(url);
    const slow: Socket[] = [];
    const closedAt: number[] = [];
    const opened = performance.now();
    for (let i = 0; i < 200; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => closedAt.push(performance.now() - opened));
      socket.write(`GET /api/v1/info HTTP/1.1\r\nHost: x\r\n`);
      slow.push(socket);
    }
    const trickle = setInterval(() => {
      for (const s of slow) {
        if (!s.destroyed) {
          s.write(`X-Slow-${Math.floor(Math.random() * 1e6)}: y\r\n`);
        }
      }
    }, 200);
    try {
      await sleep(300);
      const latencies: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const res = await get(`${url}/api/v1/info`, SECRETS.a);
        assert.equal(res.status, 200);
        await res.text();
        latencies.push(performance.now() - started);
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(
        `# normal requests beside 200 slow ones: median ${sorted[10].toFixed(0)} ms, worst ${sorted[19].toFixed(0)} ms`
      );
      assert.ok(sorted[10] < 250, `median ${sorted[10].toFixed(0)} ms`);
      // The trickling connections are cut once their headers are overdue (Node checks every tenth of the limit).
      const deadline = performance.now() + HEADERS_TIMEOUT_MS * 3;
      while (closedAt.length < slow.length && performance.now() < deadline) {
        await sleep(100);
      }
      assert.equal(closedAt.length, slow.length, `${slow.length - closedAt.length} slow connections still open`);
      const latest = Math.max(...closedAt);
      console.log(
        `# slow connections closed ${Math.min(...closedAt).toFixed(0)}–${latest.toFixed(0)} ms after opening`
      );
      assert.ok(Math.min(...closedAt) >= HEADERS_TIMEOUT_MS * 0.9, 'not before the headers timeout');
    } finally {
      clearInterval(trickle);
      for (const s of slow) {
        s.destroy();
      }
    }
  });

  it('refuses connections beyond MAX_CONNECTIONS at once', async () => {
    const capped = await startApp({ MAX_CONNECTIONS: '5' });
    const { port } = new URL(capped.url);
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const s = connect(Number(port), '127.0.0.1');
        s.on('error', () => undefined);
        await new Promise((r) => s.once('connect', r));
        held.push(s);
      }
      await sleep(100);
      const extra = connect(Number(port), '127.0.0.1');
      extra.on('error', () => undefined);
      const closed = await Promise.race([
        new Promise((r) => extra.once('close', () => r(true))),
        sleep(3000).then(() => false),
      ]);
      assert.equal(closed, true, 'the sixth connection is closed by the server');
    } finally {
      for (const s of held) {
        s.destroy();
      }
      await capped.app.close();
    }
  });
});

describe('load shedding', () => {
  let app: FastifyInstance;
  let url: string;
  before(async () => ({ app, url } = await startApp({ PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '100' })));
  after(async () => app?.close());

  /** Holds this process's event loop in 300 ms bursts for `ms`, as an overloaded gateway would be. */
  async function overload(ms: number) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const burst = Date.now() + 300;
      while (Date.now() < burst) {}
      await new Promise((r) => setImmediate(r));
    }
  }

  it('answers 503 JSON with Retry-After at once while the event loop is behind, keeps /health, and recovers', async () => {
    await overload(2500);
    const shed = await get(`${url}/api/v1/info`, SECRETS.a);
    assert.equal(shed.status, 503);
    const body = (await shed.json()) as { error: string };
    assert.equal(body.error, 'overloaded');
    assert.ok(Number(shed.headers.get('retry-after')) > 0);
    assert.equal((await get(`${url}/health`)).status, 200, '/health answers under pressure');
    let status = 503;
    for (let i = 0; i < 50 && status === 503; i++) {
      await sleep(200);
      status = (await get(`${url}/api/v1/info`, SECRETS.a)).status;
    }
    assert.equal(status, 200, 'served again once the loop catches up');
  });

  it('reports the event-loop delay in /metrics', async () => {
    const text = await (await get(`${url}/metrics`)).text();
    assert.match(text, /^gateway_nodejs_eventloop_lag_p99_seconds \d/m);
    assert.match(text, /^gateway_nodejs_eventloop_lag_max_seconds \d/m);
  });
});

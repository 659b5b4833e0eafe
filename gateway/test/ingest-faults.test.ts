import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process';
import { createScratchDatabase, dropScratchDatabase } from './helpers/postgres-server';
import {
  READINGS_DDL,
  startIngestApp,
  uniqueName,
  waitFor,
  waitForQuiet,
  withPg,
  writeMessagingConfig,
} from './helpers/ingest-app';
import {
  natsPublisher,
  redisPublisher,
  NATS_URL,
  REDIS_URL,
  type Publisher,
  type TestMessage,
} from './helpers/broker-publishers';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy';
import { TOKEN_SPEC } from './helpers/test-context';

/** Faults against the real brokers and PostgreSQL: scale-out, a killed gateway, a database outage. */
const ENTRY = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const PROXY_PORT = 55451;

const messages = (from: number, count: number): TestMessage[] =>
  Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      id: `m${i}`,
      body: JSON.stringify({
        id: i,
        time: new Date(Date.parse('2026-11-25T00:00:00Z') + i * 1000).toISOString(),
        sensor: `s${i % 3}`,
        value: i,
      }),
    };
  });

async function countRows(url: string): Promise<{ n: number; ids: number }> {
  return withPg(
    url,
    async (db) =>
      (
        await db.query<{ n: number; ids: number }>(
          'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM readings'
        )
      ).rows[0]
  );
}

describe('ingest under faults', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) {
      await c().catch(() => undefined);
    }
  });

  async function scratchWithTable(): Promise<string> {
    const scratch = await createScratchDatabase('gw_ingest');
    cleanups.push(() => dropScratchDatabase(scratch.name));
    await withPg(scratch.url, (db) => db.query(READINGS_DDL('readings')));
    return scratch.url;
  }

  function track<T extends Publisher | FastifyInstance | TcpProxy | GatewayProcess>(thing: T): T {
    cleanups.push(() => ('stop' in thing ? thing.stop() : thing.close()));
    return thing;
  }

  it('two gateways on one NATS durable consumer store each message once', { timeout: 90_000 }, async () => {
    const url = await scratchWithTable();
    const stream = uniqueName('scale');
    const publisher = track(await natsPublisher(stream, `${stream}.in`));
    const config = writeMessagingConfig(
      `ingest:\n  - name: src\n    broker: nats\n    url: ${NATS_URL}\n    stream: ${stream}\n    group: shared\n    table: readings\n    maxInFlight: 200\n    batch: { rows: 100, waitMs: 50 }\n`
    );
    const a = track(await startIngestApp({ DATABASE_URL: url, MESSAGING_CONFIG: config, MESSAGING_INSTANCE: 'a' }));
    const b = track(await startIngestApp({ DATABASE_URL: url, MESSAGING_CONFIG: config, MESSAGING_INSTANCE: 'b' }));
    await publisher.publish(messages(0, 4000));
    const done = await waitFor(
      () => countRows(url),
      (c) => c.n >= 4000,
      60_000
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await countRows(url), { n: 4000, ids: 4000 }, JSON.stringify(done));
    const [sa, sb] = [a.ingest.status()[0], b.ingest.status()[0]];
    assert.equal(sa.storedMessages + sb.storedMessages, 4000);
    assert.ok(
      sa.storedMessages > 0 && sb.storedMessages > 0,
      `both gateways took a share (${sa.storedMessages} / ${sb.storedMessages})`
    );
  });

  it(
    'a gateway killed with SIGKILL mid-run and restarted loses and duplicates nothing (Redis)',
    { timeout: 120_000 },
    async () => {
      const url = await scratchWithTable();
      const stream = uniqueName('kill');
      const publisher = track(await redisPublisher(stream));
      const config = writeMessagingConfig(
        `ingest:\n  - name: src\n    broker: redis\n    url: ${REDIS_URL}\n    stream: ${stream}\n    group: g\n    table: readings\n    messageId: { header: msg-id }\n    maxInFlight: 300\n    batch: { rows: 100, waitMs: 50 }\n`
      );
      const env = {
        DATABASE_URL: url,
        MESSAGING_CONFIG: config,
        MESSAGING_INSTANCE: 'one',
        GATEWAY_TOKENS: TOKEN_SPEC,
        LOG_LEVEL: 'warn',
      };
      const first = await startGatewayProcess({ entry: ENTRY, env });
      track(first);
      // Published while the gateway writes, so the kill falls in the middle of the run.
      let published = 0;
      const publishing = (async () => {
        for (; published < 8000; published += 400) {
          await publisher.publish(messages(published, 400));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      await waitFor(
        () => countRows(url),
        (c) => c.n >= 1000,
        60_000,
        20
      );
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      const killedAt = (await countRows(url)).n;
      await publishing;
      const second = track(await startGatewayProcess({ entry: ENTRY, env }));
      const final = await waitFor(
        () => countRows(url),
        (c) => c.n >= 8000,
        90_000
      );
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(killedAt < 8000, `the kill came mid-run (${killedAt} rows then)`);
      assert.deepEqual(
        await countRows(url),
        { n: 8000, ids: 8000 },
        `${JSON.stringify(final)}\n${second.output().slice(-2000)}`
      );
    }
  );

  it(
    'with PostgreSQL unreachable for 10 s the backlog waits in NATS, memory stays bounded, and all is stored after',
    { timeout: 120_000 },
    async () => {
      const url = await scratchWithTable();
      const proxy = track(await startTcpProxy(PROXY_PORT, Number(new URL(url).port || 5432)));
      const viaProxy = new URL(url);
      viaProxy.port = String(PROXY_PORT);
      const stream = uniqueName('outage');
      const publisher = track(await natsPublisher(stream, `${stream}.in`));
      const config = writeMessagingConfig(
        `ingest:\n  - name: src\n    broker: nats\n    url: ${NATS_URL}\n    stream: ${stream}\n    group: g\n    table: readings\n    maxInFlight: 200\n    batch: { rows: 100, waitMs: 50 }\n`
      );
      const app = track(
        await startIngestApp({
          DATABASE_URL: viaProxy.toString(),
          MESSAGING_CONFIG: config,
          DB_CONNECT_TIMEOUT_MS: '1000',
        })
      );
      await publisher.publish(messages(0, 1000));
      await waitForQuiet(app, 'src', 1000, 30_000);

      proxy.down();
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      await publisher.publish(messages(1000, 6000));
      let maxInFlight = 0;
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        maxInFlight = Math.max(maxInFlight, app.ingest.status()[0].inFlight);
        await new Promise((r) => setTimeout(r, 100));
      }
      const during = app.ingest.status()[0];
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      assert.equal((await countRows(url)).n, 1000, 'nothing written while the database is away');
      assert.ok(maxInFlight <= 200, `at most maxInFlight messages held (${maxInFlight})`);
      assert.equal(during.state, 'waiting_for_database');
      assert.ok(during.retries > 0);
      assert.ok(heapGrowth < 64 * 1024 * 1024, `heap grew ${(heapGrowth / 2 ** 20).toFixed(1)} MiB`);

      proxy.up();
      const final = await waitForQuiet(app, 'src', 7000, 60_000);
      assert.equal(final.storedMessages, 7000, JSON.stringify(final));
      assert.deepEqual(await countRows(url), { n: 7000, ids: 7000 });
    }
  );
});

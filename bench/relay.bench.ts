/**
 * Outbox relay against the real PostgreSQL, RabbitMQ and Redis, the gateway as its own process:
 * (a) throughput, rows/s from the first commit to the last message the consumer received, for
 *     50,000 rows written in 50 transactions (the broker confirmed each batch before the
 *     relay deleted it); beside it, the same number of messages published straight from this
 *     process on a confirm channel / pipelined XADD (the broker's own ceiling here);
 * (b) latency from COMMIT returning to the consumer receiving the row, at 1,000 rows/s
 *     (10 rows every 10 ms for 10 s), p50 / p99.
 */
import pg from 'pg';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayProcess } from 'timescaledb-gateway/testing';
import { createScratchDatabase, median, percentile, startGateway } from './support';

const AMQP_URL = process.env.BENCH_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const ROWS = 50_000;
const TXNS = 50;
const RATE_SECONDS = 10;
const SECRET = randomBytes(16).toString('hex');

type Sink = { count(): Promise<number>; arrivals: Map<number, number>; close(): Promise<void> };

async function amqpSink(queue: string): Promise<Sink> {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { exclusive: true, autoDelete: true });
  await ch.prefetch(1000);
  const arrivals = new Map<number, number>();
  // Acks many at a time (`multiple`), as a consumer that keeps up does: one ack per message costs the
  // broker about as much as the publish, on the same 2 cores as the relay it is measuring.
  let unacked: amqp.ConsumeMessage | null = null;
  let count = 0;
  const ackAll = () => {
    if (unacked) {
      ch.ack(unacked, true);
      unacked = null;
      count = 0;
    }
  };
  const flush = setInterval(ackAll, 20);
  await ch.consume(queue, (msg) => {
    if (!msg) {
      return;
    }
    const n = (JSON.parse(msg.content.toString()) as { n: number }).n;
    if (!arrivals.has(n)) {
      arrivals.set(n, performance.now());
    }
    unacked = msg;
    if (++count >= 250) {
      ackAll();
    }
  });
  return {
    arrivals,
    count: async () => arrivals.size,
    close: () => {
      clearInterval(flush);
      return conn.close().catch(() => undefined);
    },
  };
}

async function redisSink(stream: string): Promise<Sink> {
  const redis = new Redis(REDIS_URL);
  const arrivals = new Map<number, number>();
  let last = '$';
  let stop = false;
  // Blocking reads, as a consumer would: the arrival time is when XREAD hands the entry over.
  const reader = (async () => {
    const r = new Redis(REDIS_URL);
    while (!stop) {
      const res = (await r.xread('COUNT', 5000, 'BLOCK', 200, 'STREAMS', stream, last)) as Array<
        [string, Array<[string, string[]]>]
      > | null;
      const now = performance.now();
      for (const [, entries] of res ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const n = Number(fields[fields.indexOf('n') + 1]);
          if (!arrivals.has(n)) {
            arrivals.set(n, now);
          }
        }
      }
    }
    r.disconnect();
  })();
  return {
    arrivals,
    count: async () => arrivals.size,
    close: async () => {
      stop = true;
      await reader;
      await redis.del(stream);
      redis.disconnect();
    },
  };
}

async function waitForCount(sink: Sink, n: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await sink.count()) < n) {
    if (Date.now() > deadline) {
      throw new Error(`only ${await sink.count()} of ${n} messages within ${ms} ms`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** (a): rows/s from the first commit to the last arrival. */
async function throughput(db: pg.Pool, table: string, sink: Sink, offset: number): Promise<number> {
  const per = ROWS / TXNS;
  const started = performance.now();
  for (let t = 0; t < TXNS; t++) {
    await db.query(
      `INSERT INTO ${table} (n) SELECT g FROM generate_series(${offset + t * per}, ${offset + (t + 1) * per - 1}) g`
    );
  }
  await waitForCount(sink, offset + ROWS, 120_000);
  const last = Math.max(...[...sink.arrivals.values()]);
  return ROWS / ((last - started) / 1000);
}

/** (b): per row, arrival − the moment its COMMIT returned, in ms. */
async function latency(db: pg.Pool, table: string, sink: Sink, offset: number): Promise<number[]> {
  const committedAt = new Map<number, number>();
  const ticks = RATE_SECONDS * 100;
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    const from = offset + i * 10;
    await db.query(`INSERT INTO ${table} (n) SELECT g FROM generate_series(${from}, ${from + 9}) g`);
    const now = performance.now();
    for (let k = 0; k < 10; k++) {
      committedAt.set(from + k, now);
    }
    const due = t0 + (i + 1) * 10;
    if (due > performance.now()) {
      await new Promise((r) => setTimeout(r, due - performance.now()));
    }
  }
  await waitForCount(sink, ROWS + ticks * 10, 60_000);
  return [...committedAt].map(([n, at]) => (sink.arrivals.get(n) ?? Infinity) - at);
}

/** The broker's ceiling: the same number of messages published straight from here, confirmed. */
async function directAmqp(queue: string): Promise<number> {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { autoDelete: false });
  const body = Buffer.from(JSON.stringify({ id: 1, n: 1 }));
  const started = performance.now();
  for (let i = 0; i < ROWS; i++) {
    if (!ch.publish('', queue, body, { persistent: true })) {
      await new Promise((r) => ch.once('drain', r));
    }
  }
  await ch.waitForConfirms();
  const rate = ROWS / ((performance.now() - started) / 1000);
  await ch.deleteQueue(queue);
  await conn.close();
  return rate;
}

async function directRedis(stream: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  const started = performance.now();
  for (let i = 0; i < ROWS; i += 500) {
    const p = redis.pipeline();
    for (let k = 0; k < 500; k++) {
      p.xadd(stream, 'MAXLEN', '~', '1000000', '*', 'id', '1', 'n', String(i + k));
    }
    await p.exec();
  }
  const rate = ROWS / ((performance.now() - started) / 1000);
  await redis.del(stream);
  redis.disconnect();
  return rate;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(): Promise<string> {
  const scratch = await createScratchDatabase('gw_bench_relay');
  const db = new pg.Pool({ connectionString: scratch.url, max: 2 });
  db.on('error', () => undefined);
  const tag = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const queue = `tsgw_bench_${tag}`;
  const stream = `tsgw_bench_${tag}`;
  let gateway: GatewayProcess | undefined;
  const sinks: Sink[] = [];
  try {
    // Plain tables: captured by statement triggers (a hypertable's row trigger costs more per row).
    await db.query(`CREATE TABLE to_rabbit (n int PRIMARY KEY)`);
    await db.query(`CREATE TABLE to_redis (n int PRIMARY KEY)`);
    const config = join(mkdtempSync(join(tmpdir(), 'tsgw-bench-')), 'messaging.yaml');
    writeFileSync(
      config,
      `relay:
  brokers: { rabbit: "${AMQP_URL}", cache: "${REDIS_URL}" }
  outbox:
    batchSize: 1000
    tables:
      - { table: to_rabbit, to: { broker: rabbit, exchange: '', routingKey: ${queue} } }
      - { table: to_redis, to: { broker: cache, stream: ${stream}, maxLen: 1000000 } }
`
    );
    const rabbit = await amqpSink(queue);
    const redis = await redisSink(stream);
    sinks.push(rabbit, redis);
    gateway = await startGateway({
      DATABASE_URL: scratch.url,
      GATEWAY_TOKENS: `bench:${SECRET}:admin`,
      LOG_LEVEL: 'warn',
      MESSAGING_CONFIG: config,
    });

    const rabbitRate = await throughput(db, 'to_rabbit', rabbit, 0);
    const redisRate = await throughput(db, 'to_redis', redis, 0);
    const rabbitLatency = await latency(db, 'to_rabbit', rabbit, ROWS);
    const redisLatency = await latency(db, 'to_redis', redis, ROWS);
    const directRabbit = await directAmqp(`${queue}_direct`);
    const directRedisRate = await directRedis(`${stream}_direct`);

    const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
    const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
    return [
      '## Outbox relay (PostgreSQL → RabbitMQ / Redis)',
      '',
      `Scratch database; the gateway runs as its own process with an outbox route per table (batch 1,000), the benchmark writes with \`pg\` and consumes. (a) ${fmt(ROWS)} rows in ${TXNS} transactions, timed from the first INSERT to the last message received; (b) ${RATE_SECONDS} s at 1,000 rows/s (10-row transactions every 10 ms), latency from COMMIT returning to the consumer having the row.`,
      '',
      '| Measure | RabbitMQ | Redis stream | Target | Verdict |',
      '|---|---|---|---|---|',
      `| (a) throughput, rows/s committed → received | ${fmt(rabbitRate)} | ${fmt(redisRate)} | ≥ 20,000 | ${verdict(rabbitRate >= 20_000 && redisRate >= 20_000)} |`,
      `| (a) the broker's ceiling here: the same count published straight from the benchmark, confirmed (msg/s) | ${fmt(directRabbit)} | ${fmt(directRedisRate)} | | |`,
      `| (b) latency p50 / p99 at 1,000 rows/s (ms) | ${p(rabbitLatency, 0.5)} / ${p(rabbitLatency, 0.99)} | ${p(redisLatency, 0.5)} / ${p(redisLatency, 0.99)} | p99 ≤ 200 | ${verdict(percentile(rabbitLatency, 0.99) <= 200 && percentile(redisLatency, 0.99) <= 200)} |`,
      '',
      `Load average during the run: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' / '
        )} (1 / 5 / 15 min) on this shared machine; the direct row shows what the broker itself managed at the same time. Median latency of all rows: ${median([...rabbitLatency, ...redisLatency]).toFixed(1)} ms. Each transaction's commit stamp wakes the relay with a NOTIFY; a batch is read, published, confirmed and deleted in one transaction holding the relay lease.`,
    ].join('\n');
  } finally {
    await gateway?.stop();
    for (const s of sinks) {
      await s.close();
    }
    await db.end();
    await scratch.drop();
  }
}

/**
 * Messaging in, against the real brokers on 127.0.0.1 and the real PostgreSQL, in one run:
 * (a) throughput per broker: 1,000 messages of 100 rows each published while the gateway
 *     (its own process) ingests them — messages/s and rows/s from the first publish to the
 *     last commit — next to a POST of the same rows (1,000 per request) and a raw COPY;
 * (b) latency per broker at 1,000 messages/s (one row each, 5 s): publish → row inserted
 *     (`clock_timestamp()` in the inserting transaction, just before its commit), p50 / p99.
 * Sources use the default delivery settings (1,000 rows / 200 ms batches).
 */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayProcess } from 'timescaledb-gateway/testing';
import {
  amqpPublisher,
  mqttPublisher,
  natsPublisher,
  redisPublisher,
  AMQP_URL,
  MQTT_URL,
  NATS_URL,
  REDIS_URL,
  type Publisher,
  type TestMessage,
} from '../gateway/test/helpers/broker-publishers';
import { createScratchDatabase, median, percentile, startGateway } from './support';

const MESSAGES = 1000;
const ROWS_PER_MESSAGE = 100;
const LATENCY_RATE = 1000;
const LATENCY_SECONDS = 3;
const SECRET = randomBytes(16).toString('hex');
const TABLE_SQL = `(time timestamptz NOT NULL, sensor_id text NOT NULL, temperature real, humidity real, sent bigint, stored_at timestamptz NOT NULL DEFAULT clock_timestamp())`;
const BROKERS = ['mqtt', 'nats', 'redis', 'amqp'] as const;
type Broker = (typeof BROKERS)[number];

const tag = randomBytes(3).toString('hex');
const names = (b: Broker) => ({ topic: `bench_${b}_${tag}`, table: `in_${b}`, latency: `lat_${b}` });

function sourceYaml(b: Broker, kind: 'topic' | 'latency'): string {
  const n = names(b);
  const topic = kind === 'topic' ? n.topic : `${n.topic}_lat`;
  const table = kind === 'topic' ? n.table : n.latency;
  const head = `  - name: ${b}-${kind}\n    broker: ${b}\n    table: ${table}\n`;
  switch (b) {
    case 'mqtt':
      return `${head}    url: ${MQTT_URL}\n    topic: ${topic}/in\n    messageId: { field: id }\n    decoder: { rows: rows }\n`;
    case 'nats':
      return `${head}    url: ${NATS_URL}\n    stream: ${topic}\n    group: bench\n    decoder: { rows: rows }\n`;
    case 'redis':
      return `${head}    url: ${REDIS_URL}\n    stream: ${topic}\n    group: bench\n    decoder: { rows: rows }\n`;
    case 'amqp':
      return `${head}    url: ${AMQP_URL}\n    queue: ${topic}\n    decoder: { rows: rows }\n`;
  }
}

function rowsOf(first: number, count: number, sent?: number) {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    return {
      time: new Date(t0 + i * 1000).toISOString(),
      sensor_id: `sensor_${i % 5}`,
      temperature: 20 + (i % 100) / 10,
      humidity: 50 + (i % 37) / 10,
      ...(sent ? { sent } : {}),
    };
  });
}

/** Waits until `done()`, failing the section after `ms` instead of hanging the run. */
async function until(what: string, done: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

const message = (i: number, rows: unknown[]): TestMessage => ({
  id: `m${i}`,
  body: JSON.stringify({ id: `m${i}`, rows }),
});

export async function run(): Promise<string> {
  const scratch = await createScratchDatabase('gw_bench_ingest');
  const direct = new pg.Pool({ connectionString: scratch.url, max: 2 });
  direct.on('error', () => undefined);
  let gateway: GatewayProcess | undefined;
  const publishers: Publisher[] = [];
  try {
    for (const b of BROKERS) {
      await direct.query(`CREATE TABLE ${names(b).table} ${TABLE_SQL}`);
      await direct.query(`CREATE TABLE ${names(b).latency} ${TABLE_SQL}`);
    }
    await direct.query(`CREATE TABLE posted ${TABLE_SQL}`);
    await direct.query(`CREATE TABLE copied ${TABLE_SQL}`);

    // Streams and queues exist before the gateway subscribes (MQTT needs the subscriber first).
    let status: Record<string, { received: number; storedRows: number }> = {};
    const make = async (b: Broker, topic: string): Promise<Publisher> => {
      if (b === 'nats') {
        return natsPublisher(topic, `${topic}.in`);
      }
      if (b === 'redis') {
        return redisPublisher(topic);
      }
      if (b === 'amqp') {
        return amqpPublisher(topic);
      }
      return { publish: async () => undefined, close: async () => undefined };
    };
    const pubs: Record<string, Publisher> = {};
    for (const b of BROKERS) {
      pubs[`${b}-topic`] = await make(b, names(b).topic);
      pubs[`${b}-latency`] = await make(b, `${names(b).topic}_lat`);
    }
    publishers.push(...Object.values(pubs));
    const dir = mkdtempSync(join(tmpdir(), 'tsgw-bench-'));
    const config = join(dir, 'messaging.yaml');
    writeFileSync(
      config,
      `ingest:\n${BROKERS.flatMap((b) => [sourceYaml(b, 'topic'), sourceYaml(b, 'latency')]).join('')}`
    );
    gateway = await startGateway({
      DATABASE_URL: scratch.url,
      GATEWAY_TOKENS: `bench:${SECRET}:admin`,
      LOG_LEVEL: 'warn',
      MESSAGING_CONFIG: config,
      BODY_LIMIT: String(64 * 1024 * 1024),
    });
    const base = gateway.url;
    const headers = { authorization: `Bearer ${SECRET}` };
    const poll = async () => {
      const body = (await (await fetch(`${base}/api/v1/ingest`, { headers })).json()) as {
        sources: Array<{ name: string; received: number; storedRows: number }>;
      };
      status = Object.fromEntries(body.sources.map((s) => [s.name, s]));
    };
    for (const b of BROKERS) {
      if (b === 'mqtt') {
        pubs['mqtt-topic'] = await mqttPublisher(`${names(b).topic}/in`, () => status['mqtt-topic']?.received ?? 0);
        pubs['mqtt-latency'] = await mqttPublisher(
          `${names(b).topic}_lat/in`,
          () => status['mqtt-latency']?.received ?? 0
        );
        publishers.push(pubs['mqtt-topic'], pubs['mqtt-latency']);
      }
    }
    let polling = true;
    const poller = (async () => {
      while (polling) {
        await poll().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    // (a) throughput
    const totalRows = MESSAGES * ROWS_PER_MESSAGE;
    const batch = Array.from({ length: MESSAGES }, (_, i) =>
      message(i, rowsOf(i * ROWS_PER_MESSAGE, ROWS_PER_MESSAGE))
    );
    const throughput: Array<{ broker: Broker; seconds: number }> = [];
    for (const b of BROKERS) {
      const started = performance.now();
      await pubs[`${b}-topic`].publish(batch);
      await until(
        `${b} throughput (${JSON.stringify(status[`${b}-topic`])})`,
        () => (status[`${b}-topic`]?.storedRows ?? 0) >= totalRows
      );
      console.log(`  ${b}: ${totalRows} rows in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      throughput.push({ broker: b, seconds: (performance.now() - started) / 1000 });
    }

    // Baselines on the same rows: POST (1,000 rows a request, two at a time) and one raw COPY.
    const allRows = batch.flatMap((_, i) => rowsOf(i * ROWS_PER_MESSAGE, ROWS_PER_MESSAGE));
    const postStarted = performance.now();
    const chunks = Array.from({ length: totalRows / 1000 }, (_, i) => allRows.slice(i * 1000, (i + 1) * 1000));
    for (let i = 0; i < chunks.length; i += 2) {
      await Promise.all(
        chunks.slice(i, i + 2).map(async (rows) => {
          const res = await fetch(`${base}/timescaledb/data/posted`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify(rows),
          });
          if (res.status !== 201) {
            throw new Error(`POST answered ${res.status}: ${await res.text()}`);
          }
        })
      );
    }
    const postSeconds = (performance.now() - postStarted) / 1000;
    console.log(`  POST: ${postSeconds.toFixed(2)} s`);
    const client = await direct.connect();
    const copyStarted = performance.now();
    try {
      const csv = allRows.map((r) => `${r.time},${r.sensor_id},${r.temperature},${r.humidity}\n`);
      await pipeline(
        Readable.from(csv),
        client.query(copyFrom('COPY copied (time, sensor_id, temperature, humidity) FROM STDIN WITH (FORMAT csv)'))
      );
    } finally {
      client.release();
    }
    const copySeconds = (performance.now() - copyStarted) / 1000;
    console.log(`  COPY: ${copySeconds.toFixed(2)} s`);

    // (b) latency at 1,000 messages/s, one row each, all brokers one after the other.
    const latency: Array<{ broker: Broker; p50: number; p99: number; n: number }> = [];
    for (const b of BROKERS) {
      const total = LATENCY_RATE * LATENCY_SECONDS;
      const t0 = performance.now();
      for (let i = 0; i < total; i += LATENCY_RATE / 20) {
        const wait = t0 + (i / LATENCY_RATE) * 1000 - performance.now();
        if (wait > 0) {
          await new Promise((r) => setTimeout(r, wait));
        }
        const now = Date.now();
        await pubs[`${b}-latency`].publish(
          Array.from({ length: LATENCY_RATE / 20 }, (_, k) => message(i + k, rowsOf(i + k, 1, now)))
        );
      }
      await until(`${b} latency run`, () => (status[`${b}-latency`]?.storedRows ?? 0) >= total);
      console.log(`  ${b}: latency run done`);
      const { rows } = await direct.query<{ ms: number }>(
        `SELECT (extract(epoch FROM stored_at) * 1000 - sent)::float8 AS ms FROM ${names(b).latency}`
      );
      const ms = rows.map((r) => r.ms);
      latency.push({ broker: b, p50: median(ms), p99: percentile(ms, 0.99), n: ms.length });
    }
    polling = false;
    await poller;

    const lines = [
      '## Messaging in (bench/ingest.bench.ts)',
      '',
      `Gateway process with one MESSAGING_CONFIG source per broker into PostgreSQL (scratch database), default delivery settings (1,000 rows / 200 ms batches, COPY). ${MESSAGES.toLocaleString('en')} messages × ${ROWS_PER_MESSAGE} rows, published while ingesting; timed from the first publish to the last committed row.`,
      '',
      '| Path | Messages/s | Rows/s | vs raw COPY |',
      '|---|---|---|---|',
      ...throughput.map(
        (t) =>
          `| ${t.broker} ingest | ${Math.round(MESSAGES / t.seconds).toLocaleString('en')} | ${Math.round(totalRows / t.seconds).toLocaleString('en')} | ${(copySeconds / t.seconds).toFixed(2)} |`
      ),
      `| POST 1,000 rows/request (2 concurrent) | — | ${Math.round(totalRows / postSeconds).toLocaleString('en')} | ${(copySeconds / postSeconds).toFixed(2)} |`,
      `| raw COPY (pg, one stream) | — | ${Math.round(totalRows / copySeconds).toLocaleString('en')} | 1.00 |`,
      '',
      `Publish → row inserted at ${LATENCY_RATE.toLocaleString('en')} messages/s (1 row each, ${LATENCY_SECONDS} s per broker):`,
      '',
      '| Broker | p50 ms | p99 ms | rows |',
      '|---|---|---|---|',
      ...latency.map((l) => `| ${l.broker} | ${l.p50.toFixed(0)} | ${l.p99.toFixed(0)} | ${l.n} |`),
      '',
      "Targets: ≥ 50,000 rows/s for MQTT, NATS and Redis; p99 ≤ 500 ms. MQTT publishing waits for the gateway to keep within Mosquitto's 1,000-message queue per subscriber (see README), so its figure includes that pacing.",
    ];
    return lines.join('\n');
  } finally {
    await gateway?.stop();
    for (const p of publishers) {
      await p.close().catch(() => undefined);
    }
    await direct.end();
    await scratch.drop();
  }
}

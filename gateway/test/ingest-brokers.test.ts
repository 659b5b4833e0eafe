import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createScratchDatabase, dropScratchDatabase } from './helpers/postgres-server';
import {
  READINGS_DDL,
  startIngestApp,
  uniqueName,
  waitForQuiet,
  withPg,
  writeMessagingConfig,
} from './helpers/ingest-app';
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
} from './helpers/broker-publishers';

/**
 * Against the real brokers on 127.0.0.1 and the real PostgreSQL: per broker 10,000 messages
 * plus 500 published again with the same id (as a producer's retry or a broker's redelivery
 * brings them) → exactly 10,000 rows. Each broker takes its id from another place: the
 * AMQP message_id property, a NATS header, a Redis entry field, an MQTT payload field.
 */
const MESSAGES = 10_000;
const REPEATS = 500;

function readings(count: number): TestMessage[] {
  const t0 = Date.parse('2026-11-25T00:00:00Z');
  return Array.from({ length: count }, (_, i) => ({
    id: `m${i}`,
    body: JSON.stringify({ id: i, time: new Date(t0 + i * 1000).toISOString(), sensor: `s${i % 7}`, value: i / 4 }),
  }));
}

/** 10,000 messages with 500 of them repeated in the middle of the run. */
function withRepeats(): TestMessage[] {
  const all = readings(MESSAGES);
  return [...all.slice(0, 5000), ...all.slice(0, REPEATS), ...all.slice(5000)];
}

/** The ids 0…MESSAGES-1 not in the table, as ranges: tells a lost publish batch from scattered losses. */
async function missingIds(url: string, table: string): Promise<string> {
  const { rows } = await withPg(url, (db) =>
    db.query<{ first: number; last: number }>(
      `SELECT min(i) AS first, max(i) AS last FROM (SELECT i, i - row_number() OVER (ORDER BY i) AS g FROM generate_series(0, $1::int - 1) i WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE id = i)) m GROUP BY g ORDER BY 1 LIMIT 20`,
      [MESSAGES]
    )
  );
  return rows.map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`)).join(', ') || 'none';
}

interface BrokerCase {
  broker: string;
  source: (names: { table: string; topic: string }) => string;
  publisher: (names: { topic: string }, app: FastifyInstance) => Promise<Publisher>;
}

const cases: BrokerCase[] = [
  {
    broker: 'redis',
    source: ({ table, topic }) =>
      `broker: redis\n    url: ${REDIS_URL}\n    stream: ${topic}\n    group: g1\n    table: ${table}\n    messageId: { header: msg-id }`,
    publisher: ({ topic }) => redisPublisher(topic),
  },
  {
    broker: 'nats',
    source: ({ table, topic }) =>
      `broker: nats\n    url: ${NATS_URL}\n    stream: ${topic}\n    group: g1\n    table: ${table}\n    messageId: { header: msg-id }`,
    publisher: ({ topic }) => natsPublisher(topic, `${topic}.readings`),
  },
  {
    broker: 'amqp',
    source: ({ table, topic }) => `broker: amqp\n    url: ${AMQP_URL}\n    queue: ${topic}\n    table: ${table}`,
    publisher: ({ topic }) => amqpPublisher(topic),
  },
  {
    broker: 'mqtt',
    source: ({ table, topic }) =>
      `broker: mqtt\n    url: ${MQTT_URL}\n    topic: ${topic}/readings\n    table: ${table}\n    messageId: { field: id }`,
    publisher: ({ topic }, app) => mqttPublisher(`${topic}/readings`, () => app.ingest.status()[0].received),
  },
];

for (const c of cases) {
  describe(`ingest from ${c.broker} into PostgreSQL`, () => {
    let scratch: { name: string; url: string };
    let app: FastifyInstance | undefined;
    let publisher: Publisher | undefined;
    const table = 'readings';
    const topic = uniqueName(`ingest_${c.broker}`);

    before(async () => {
      scratch = await createScratchDatabase('gw_ingest');
      await withPg(scratch.url, (db) => db.query(READINGS_DDL(table)));
    });
    after(async () => {
      await app?.close();
      await publisher?.close();
      await dropScratchDatabase(scratch.name);
    });

    it(`stores ${MESSAGES} messages with ${REPEATS} repeated ones exactly once`, { timeout: 120_000 }, async () => {
      // MQTT keeps nothing for a subscriber that does not exist yet, so the stream / queue is made
      // first and the gateway started before publishing, for every broker alike.
      const config = writeMessagingConfig(`ingest:\n  - name: src\n    ${c.source({ table, topic })}\n`);
      if (c.broker !== 'mqtt') {
        publisher = await c.publisher({ topic }, undefined as never);
      }
      if (c.broker === 'amqp' || c.broker === 'nats') {
        await publisher!.publish([]);
      }
      app = await startIngestApp({ DATABASE_URL: scratch.url, MESSAGING_CONFIG: config, MESSAGING_INSTANCE: topic });
      publisher ??= await c.publisher({ topic }, app);
      await publisher.publish(withRepeats());
      const stats = await waitForQuiet(app, 'src', MESSAGES + REPEATS, 90_000);
      if (stats.storedMessages !== MESSAGES) {
        const refusals = (publisher as Partial<{ refusals: () => string[] }>).refusals?.() ?? [];
        assert.fail(
          `stored ${stats.storedMessages} of ${MESSAGES}: ${JSON.stringify(stats)}; missing ids ${await missingIds(scratch.url, table)}; broker refusals ${refusals.slice(0, 20).join(' ') || 'none'}`
        );
      }
      assert.equal(stats.duplicates, REPEATS);
      assert.equal(stats.deadLettered, 0);
      const counts = await withPg(scratch.url, (db) =>
        db.query<{ n: string; ids: string }>(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${table}`)
      );
      assert.deepEqual(counts.rows[0], { n: String(MESSAGES), ids: String(MESSAGES) });
    });
  });
}

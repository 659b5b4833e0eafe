import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { KafkaConsumer, kafkaBrokers, type KafkaConsumerPort } from '../src/messaging/brokers/kafka-consumer';
import { messageDecoder } from '../src/messaging/ingest/decoders/decode-message';
import { IngestPipeline } from '../src/messaging/ingest/ingest-pipeline';
import { ensureIngestTables } from '../src/messaging/ingest/ingest-tables';
import { emptyStats } from '../src/messaging/ingest/source-stats';
import { parseMessagingConfig } from '../src/messaging/config-file';
import { createScratchDatabase, dropScratchDatabase } from './helpers/postgres-server';
import { READINGS_DDL, startIngestApp, waitFor } from './helpers/ingest-app';

/**
 * Kafka: NO KAFKA BROKER EXISTS ON THIS MACHINE, so this is a contract test with a FAKE
 * TRANSPORT in place of kafkajs's consumer (the one part mocked): a two-partition topic
 * that hands out batches from the committed offsets, as a group coordinator does after a
 * restart. Everything from the adapter on is the real code path (pipeline, checks, COPY into
 * the real PostgreSQL, dedupe). The fake checks on every commit that the rows of every
 * offset below it are already in the table.
 */
class FakeKafkaTopic {
  readonly partitions: KafkaMessage[][] = [[], []];
  readonly committed = [0, 0];
  commitCheck: (partition: number, offset: number) => Promise<void> = async () => undefined;

  add(value: string, key: number): void {
    const p = this.partitions[key % 2];
    p.push({
      key: Buffer.from(String(key)),
      value: Buffer.from(value),
      offset: String(p.length),
      timestamp: String(Date.now()),
      attributes: 0,
      headers: {},
    } as KafkaMessage);
  }

  consumer(): KafkaConsumerPort {
    let running = true;
    const topic = this;
    return {
      connect: async () => undefined,
      subscribe: async () => undefined,
      describeGroup: async () => ({}) as never,
      disconnect: async () => {
        running = false;
      },
      commitOffsets: async (offsets) => {
        for (const o of offsets) {
          await topic.commitCheck(o.partition, Number(o.offset));
          topic.committed[o.partition] = Math.max(topic.committed[o.partition], Number(o.offset));
        }
      },
      run: async (config) => {
        // Each partition from its committed offset, in batches of 100, as kafkajs fetches.
        for (const [partition, messages] of topic.partitions.entries()) {
          void (async () => {
            for (let from = topic.committed[partition]; running && from < messages.length; from += 100) {
              const batch = { topic: 'readings', partition, messages: messages.slice(from, from + 100) };
              await config!.eachBatch!({
                batch,
                isRunning: () => running,
                isStale: () => false,
                heartbeat: async () => undefined,
              } as unknown as EachBatchPayload);
            }
          })();
        }
      },
    } as KafkaConsumerPort;
  }
}

describe('Kafka consumer (contract test with a fake Kafka transport; no Kafka broker here)', () => {
  let scratch: { name: string; url: string };
  let app: FastifyInstance;

  before(async () => {
    scratch = await createScratchDatabase('gw_ingest');
    app = await startIngestApp({ DATABASE_URL: scratch.url }, async (a) => {
      await a.db.query(READINGS_DDL('readings'));
      await a.catalog.refresh();
    });
  });
  after(async () => {
    await app?.close();
    await dropScratchDatabase(scratch.name);
  });

  const source = parseMessagingConfig(
    'ingest:\n  - name: k\n    broker: kafka\n    url: kafka://127.0.0.1:9092,127.0.0.2\n    topic: readings\n    group: g\n    table: readings\n    batch: { rows: 300, waitMs: 50 }\n',
    'messaging.yaml'
  ).ingest[0];

  async function runUntil(topic: FakeKafkaTopic, done: (committed: number[]) => boolean) {
    const table = await app.catalog.resolveTableFresh('readings');
    const tables = await ensureIngestTables(app.db, table);
    const stats = emptyStats('k', 'kafka', 'readings');
    const events = { received() {}, written() {}, retried() {} };
    const pipeline = new IngestPipeline(
      source,
      messageDecoder(source.decoder),
      { db: app.db, table, tables, source: 'k', copyThreshold: 100 },
      stats,
      events,
      app.log
    );
    const consumer = new KafkaConsumer({ config: source, instance: 'test', log: app.log }, () => topic.consumer());
    await consumer.start(pipeline);
    await waitFor(async () => [...topic.committed], done, 30_000, 50);
    await consumer.close();
    await pipeline.close();
    return stats;
  }

  it('lists the brokers of a kafka:// URL', () => {
    assert.deepEqual(kafkaBrokers('kafka://127.0.0.1:9092,127.0.0.2'), ['127.0.0.1:9092', '127.0.0.2:9092']);
  });

  it(
    'commits an offset only after the rows below it are committed, and a replay after a restart stores nothing twice',
    { timeout: 60_000 },
    async () => {
      const topic = new FakeKafkaTopic();
      for (let i = 0; i < 1000; i++) {
        topic.add(JSON.stringify({ id: i, time: '2026-11-25T00:00:00Z', sensor: `s${i % 2}`, value: i }), i);
      }
      let checked = 0;
      topic.commitCheck = async (partition, offset) => {
        // Offsets 0..offset-1 of the partition hold ids with id % 2 == partition.
        const { rows } = await app.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM readings WHERE id % 2 = $1',
          [partition]
        );
        assert.ok(
          rows[0].n >= offset,
          `commit of offset ${offset} on partition ${partition} came before its rows (${rows[0].n} stored)`
        );
        checked++;
      };
      const first = await runUntil(topic, (c) => c[0] === 500 && c[1] === 500);
      assert.equal(first.storedMessages, 1000);
      assert.ok(checked > 0);

      // A crash before the last commits: the group hands the last 150 of each partition out again.
      topic.committed[0] = 350;
      topic.committed[1] = 350;
      const replay = await runUntil(topic, (c) => c[0] === 500 && c[1] === 500);
      assert.equal(replay.storedMessages, 0);
      assert.equal(replay.duplicates, 300);
      const { rows } = await app.db.query<{ n: number; ids: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM readings'
      );
      assert.deepEqual(rows[0], { n: 1000, ids: 1000 });
    }
  );
});

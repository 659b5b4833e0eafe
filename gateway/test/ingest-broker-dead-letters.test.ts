import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import {
  READINGS_DDL,
  startIngestApp,
  uniqueName,
  waitFor,
  waitForQuiet,
  writeMessagingConfig,
} from './helpers/ingest-app';
import { AMQP_URL } from './helpers/broker-publishers';

/**
 * A poison message goes to the dead-letter table AND to the broker's own dead-letter queue where
 * it has one: RabbitMQ's dead-letter exchange of the queue. Real RabbitMQ; the embedded database
 * (the database side of dead letters is covered on both databases by ingest-dead-letters.test.ts).
 */
const good = JSON.stringify({ id: 1, time: '2026-11-25T00:00:00Z', sensor: 's1', value: 1 });
const poison = '{"id": 2, "time": ';

describe('dead letters reach the broker’s own dead-letter queue (embedded TimescaleDB)', () => {
  const queue = uniqueName('tsgw_dlx_in');
  const dlq = uniqueName('tsgw_dlx_dead');
  let amqp: ChannelModel;
  let app: FastifyInstance;

  before(async () => {
    amqp = await amqpConnect(AMQP_URL);
    const ch = await amqp.createChannel();
    await ch.assertQueue(dlq, { durable: false });
    await ch.assertQueue(queue, {
      durable: false,
      arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq },
    });
    ch.sendToQueue(queue, Buffer.from(good), { messageId: 'a1' });
    ch.sendToQueue(queue, Buffer.from(poison), { messageId: 'a2' });
    await ch.close();
    const config = writeMessagingConfig(`ingest:
  - name: rabbit
    broker: amqp
    url: ${AMQP_URL}
    queue: ${queue}
    table: readings
`);
    app = await startIngestApp({ MESSAGING_CONFIG: config, MESSAGING_INSTANCE: queue }, async (a) => {
      await a.db.query(READINGS_DDL('readings'));
      await a.catalog.refresh();
    });
  });
  after(async () => {
    await app?.close();
    const ch = await amqp.createChannel();
    await ch.deleteQueue(queue).catch(() => undefined);
    await ch.deleteQueue(dlq).catch(() => undefined);
    await amqp.close();
  });

  it(
    'RabbitMQ: the poison message is rejected to the queue’s dead-letter exchange; the good one is acked',
    { timeout: 60_000 },
    async () => {
      const stats = await waitForQuiet(app, 'rabbit', 2, 45_000);
      assert.equal(stats.deadLettered, 1);
      const ch = await amqp.createChannel();
      const dead = await waitFor(
        () => ch.get(dlq, { noAck: true }),
        (m) => m !== false,
        10_000
      );
      assert.ok(dead);
      assert.equal(dead.content.toString(), poison);
      assert.equal(dead.properties.messageId, 'a2');
      assert.equal((await ch.checkQueue(queue)).messageCount, 0, 'nothing left or requeued');
      await ch.close();
    }
  );
});

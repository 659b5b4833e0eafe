import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';
import { AMQP_URL, amqpQueue, REDIS_URL, redisStream, uniqueName, writeMessagingConfig } from './helpers/brokers';

// The seed's SQL, exactly as it is written there.
const SEED_SQL = [
  `CREATE TABLE sales_data (order_id INT, product_id INT, quantity INT, timestamp TIMESTAMPTZ)`,
  `CREATE OR REPLACE FUNCTION send_sales_data_to_rabbitmq() RETURNS TRIGGER AS $$ BEGIN PERFORM pg_notify('sales_data_channel', json_build_object('order_id', NEW.order_id, 'product_id', NEW.product_id, 'quantity', NEW.quantity, 'timestamp', NEW.timestamp)::text); RETURN NEW; END; $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER sales_data_trigger AFTER INSERT ON sales_data FOR EACH ROW EXECUTE FUNCTION send_sales_data_to_rabbitmq()`,
];
const SEED_INSERT = `INSERT INTO sales_data (order_id, product_id, quantity, timestamp) VALUES (1, 101, 5, NOW())`;

// The two database runs go one after the other: each declares the queue afresh and empties the stream.
const queueName = uniqueName('tsgw_seed');
const streamName = uniqueName('tsgw_seed');
const config = writeMessagingConfig(`
relay:
  brokers:
    rabbit: ${AMQP_URL}
    cache: ${REDIS_URL}
  notify:
    - channel: sales_data_channel
      to: { broker: rabbit, exchange: '', routingKey: ${queueName} }
    - channel: sales_data_channel
      to: { broker: cache, stream: ${streamName}, maxLen: 1000 }
`);

forEachDatabase(
  (ctx) => {
    it("relays the seed's own trigger: its JSON object arrives on a RabbitMQ queue and on a Redis stream", async () => {
      const { app } = ctx();
      const queue = await amqpQueue(queueName);
      const stream = redisStream(streamName);
      try {
        await app.db.query(SEED_INSERT);
        const [message] = await queue.waitFor(1);
        const body = JSON.parse(message.body);
        assert.deepEqual(Object.keys(body), ['order_id', 'product_id', 'quantity', 'timestamp']);
        assert.equal(body.order_id, 1);
        assert.equal(body.product_id, 101);
        assert.equal(body.quantity, 5);
        assert.ok(Math.abs(Date.parse(body.timestamp) - Date.now()) < 60_000, `timestamp ${body.timestamp} is now`);
        const [entry] = await stream.waitFor(1);
        assert.deepEqual(
          { ...entry, timestamp: undefined },
          { order_id: '1', product_id: '101', quantity: '5', timestamp: undefined }
        );
        assert.equal(Date.parse(entry.timestamp), Date.parse(body.timestamp));
        const status = (await (
          await fetch(`${ctx().baseUrl}/api/v1/relay`, { headers: { authorization: `Bearer ${ctx().token}` } })
        ).json()) as { published: number; notify: unknown };
        assert.equal(status.published, 2);
        assert.deepEqual(status.notify, [
          { channel: 'sales_data_channel', broker: 'rabbit' },
          { channel: 'sales_data_channel', broker: 'cache' },
        ]);
      } finally {
        await queue.close();
        await stream.close();
      }
    });
  },
  {
    env: { MESSAGING_CONFIG: config },
    setup: async (db) => {
      for (const sql of SEED_SQL) {
        await db.query(sql);
      }
    },
  }
);

import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { forEachDatabase } from './helpers/test-context';
import {
  AMQP_URL,
  amqpQueue,
  MQTT_URL,
  NATS_URL,
  REDIS_URL,
  redisStream,
  uniqueName,
  waitFor,
  writeMessagingConfig,
} from './helpers/brokers';
import { startTcpProxy } from './helpers/tcp-proxy';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import mqtt from 'mqtt';

const PROXY_PORT = 55_501;
const BATCH = 200;
const orderQueue = uniqueName('tsgw_outbox');
const bigQueue = uniqueName('tsgw_outbox_big');
const bigStream = uniqueName('tsgw_outbox_big');
const cutQueue = uniqueName('tsgw_outbox_cut');
const wipeQueue = uniqueName('tsgw_outbox_wipe');
const lateQueue = uniqueName('tsgw_outbox_late');
const quietQueue = uniqueName('tsgw_outbox_quiet');
const natsSubject = uniqueName('tsgw.outbox').replace(/_/g, '.');
const mqttTopic = `tsgw/${uniqueName('outbox')}`;
const proxy = await startTcpProxy(PROXY_PORT, 5672);
after(() => proxy.close());

const config = writeMessagingConfig(`
relay:
  brokers:
    rabbit: ${AMQP_URL}
    cut: amqp://guest:guest@127.0.0.1:${PROXY_PORT}
    cache: ${REDIS_URL}
    bus: ${NATS_URL}
    things: ${MQTT_URL}
  outbox:
    batchSize: ${BATCH}
    pollIntervalMs: 500
    publishTimeoutMs: 3000
    tables:
      - table: orders
        operations: [insert]
        format: envelope
        to: { broker: rabbit, exchange: '', routingKey: ${orderQueue} }
      - table: big_rows
        to: { broker: rabbit, exchange: '', routingKey: ${bigQueue} }
      - table: big_rows
        format: envelope
        to: { broker: cache, stream: ${bigStream} }
      - table: cut_rows
        to: { broker: cut, exchange: '', routingKey: ${cutQueue} }
      - table: public.events
        where: { column: level, op: gte, value: 3 }
        to: { broker: bus, subject: ${natsSubject} }
      - table: wiped
        operations: [insert, truncate]
        format: envelope
        where: { column: v, op: gt, value: 100 }
        to: { broker: rabbit, exchange: '', routingKey: ${wipeQueue} }
      - table: late_rows
        to: { broker: rabbit, exchange: '', routingKey: ${lateQueue} }
      - table: quiet_rows
        to: { broker: rabbit, exchange: '', routingKey: ${quietQueue} }
      - table: events
        operations: [update, delete]
        to: { broker: things, topic: ${mqttTopic} }
`);

type Envelope = {
  id: number;
  table: string;
  op: string;
  key: { id: number } | null;
  row: { id: number; txn: number; n: number };
  time: string;
};

async function capture(baseUrl: string, token: string, table: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}/api/v1/relay/outbox/${table}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as Record<string, unknown>;
}

forEachDatabase(
  (ctx) => {
    it('sends exactly the committed rows of 20 transactions (10,000 rows, some rolled back), in commit order', async () => {
      const { app, baseUrl, token, driver } = ctx();
      const queue = await amqpQueue(orderQueue);
      try {
        assert.deepEqual((await capture(baseUrl, token, 'orders')).key, ['id', 'at']);
        const rolledBack = new Set([3, 8, 13, 17]);
        const committed: number[] = []; // transaction numbers in commit order
        const insert = (txn: number, from: number, to: number) =>
          `INSERT INTO orders (txn, n) SELECT ${txn}, g FROM generate_series(${from}, ${to}) g`;
        if (driver === 'postgres') {
          // Pairs of overlapping transactions: A starts writing first, B commits first, so
          // outbox ids (taken at insert) and commit order disagree.
          const clients = [new pg.Client(app.config.databaseUrl), new pg.Client(app.config.databaseUrl)];
          await Promise.all(clients.map((c) => c.connect()));
          try {
            for (let pair = 0; pair < 10; pair++) {
              const [a, b] = [pair * 2, pair * 2 + 1];
              await clients[0].query('BEGIN');
              await clients[1].query('BEGIN');
              await clients[0].query(insert(a, 0, 249));
              await clients[1].query(insert(b, 0, 249));
              await clients[0].query(insert(a, 250, 499));
              await clients[1].query(insert(b, 250, 499));
              for (const [client, txn] of [
                [clients[1], b],
                [clients[0], a],
              ] as const) {
                await client.query(rolledBack.has(txn) ? 'ROLLBACK' : 'COMMIT');
                if (!rolledBack.has(txn)) {
                  committed.push(txn);
                }
              }
            }
          } finally {
            await Promise.all(clients.map((c) => c.end()));
          }
        } else {
          // One connection: transactions cannot overlap; commit order is their order.
          for (let txn = 0; txn < 20; txn++) {
            await app.db
              .transaction(async (tx) => {
                await tx.query(insert(txn, 0, 499));
                if (rolledBack.has(txn)) {
                  throw new Error('roll back');
                }
              })
              .catch((err: Error) => assert.equal(err.message, 'roll back'));
            if (!rolledBack.has(txn)) {
              committed.push(txn);
            }
          }
        }
        const expected = committed.flatMap((txn) => Array.from({ length: 500 }, (_, n) => `${txn}:${n}`));
        const received = await queue.waitFor(expected.length, 90_000);
        await new Promise((r) => setTimeout(r, 500)); // anything extra would arrive now
        const bodies = queue.received.map((m) => JSON.parse(m.body) as Envelope);
        assert.equal(received.length, expected.length, 'no duplicates, nothing from rolled-back transactions');
        assert.deepEqual(
          bodies.map((b) => `${b.row.txn}:${b.row.n}`),
          expected,
          'commit order, then insert order inside a transaction'
        );
        const first = bodies[0];
        assert.equal(first.table, 'orders');
        assert.equal(first.op, 'insert');
        assert.equal(first.key?.id, first.row.id, 'the key holds the primary key columns');
        assert.equal(queue.received[0].messageId, String(first.id), 'the outbox id is the message id');
        const left = await app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tsgw_relay.outbox`);
        assert.equal(left.rows[0].n, 0, 'delivered rows leave the outbox');
      } finally {
        await queue.close();
      }
    });

    it('carries a 20 KB row (too large for NOTIFY) to RabbitMQ and to a Redis stream', async () => {
      const { app, baseUrl, token } = ctx();
      const queue = await amqpQueue(bigQueue);
      const stream = redisStream(bigStream);
      try {
        await capture(baseUrl, token, 'big_rows');
        const text = 'x'.repeat(20_000);
        await assert.rejects(app.db.query(`SELECT pg_notify('too_big', $1)`, [text]), /payload string too long/);
        await app.db.query(`INSERT INTO big_rows (id, body) VALUES (1, $1)`, [text]);
        const [message] = await queue.waitFor(1);
        assert.deepEqual(JSON.parse(message.body), { id: 1, body: text });
        const [entry] = await stream.waitFor(1);
        assert.equal(entry.table, 'big_rows');
        assert.equal(entry.op, 'insert');
        assert.deepEqual(JSON.parse(entry.row), { id: 1, body: text });
      } finally {
        await queue.close();
        await stream.close();
      }
    });

    it('filters by operation and column and sends to NATS JetStream (Nats-Msg-Id) and MQTT (QoS 1)', async () => {
      const { app, baseUrl, token } = ctx();
      const nc = await connect({ servers: NATS_URL });
      const jsm = await jetstreamManager(nc);
      const streamName = uniqueName('TSGW');
      await jsm.streams.add({ name: streamName, subjects: [natsSubject] });
      const client = await mqtt.connectAsync(MQTT_URL);
      const mqttGot: string[] = [];
      client.on('message', (_topic, payload) => mqttGot.push(payload.toString()));
      await client.subscribeAsync(mqttTopic, { qos: 1 });
      try {
        await capture(baseUrl, token, 'events');
        await app.db.query(`INSERT INTO events (id, level) VALUES (1, 1), (2, 5), (3, 3)`);
        await app.db.query(`UPDATE events SET level = 9 WHERE id = 1`);
        await app.db.query(`DELETE FROM events WHERE id = 2`);
        const info = await waitFor('5 messages on the JetStream stream', async () => {
          const i = await jsm.streams.info(streamName);
          return i.state.messages >= 4 && i;
        });
        // level >= 3: inserts 2 and 3, the update of 1 (now 9), the delete of 2 (level 5).
        assert.equal(info.state.messages, 4);
        const levels: number[] = [];
        for (let seq = 1; seq <= 4; seq++) {
          const m = await jsm.streams.getMessage(streamName, { seq });
          assert.ok(m?.header.get('Nats-Msg-Id'), 'each message carries its outbox id');
          levels.push((m!.json() as { level: number }).level);
        }
        assert.deepEqual(levels, [5, 3, 9, 5]);
        await waitFor('2 MQTT messages', async () => mqttGot.length >= 2);
        assert.deepEqual(
          mqttGot.map((m) => JSON.parse(m)),
          [
            { id: 1, level: 9 },
            { id: 2, level: 5 },
          ]
        );
      } finally {
        await jsm.streams.delete(streamName).catch(() => undefined);
        await nc.close();
        await client.endAsync();
      }
    });

    it('sends a row committed behind more than a batch of commits that captured nothing', async () => {
      const { app, baseUrl, token } = ctx();
      const queue = await amqpQueue(quietQueue);
      try {
        await app.db.query(`INSERT INTO quiet_rows (id) VALUES (1)`);
        await capture(baseUrl, token, 'quiet_rows');
        // Each statement inserts nothing, yet its transaction stamps a commit the relay reads.
        for (let i = 0; i < BATCH + 50; i++) {
          await app.db.query(`INSERT INTO quiet_rows (id) VALUES (1) ON CONFLICT DO NOTHING`);
        }
        await app.db.query(`INSERT INTO quiet_rows (id) VALUES (2)`);
        const got = await queue.waitFor(1, 20_000);
        assert.deepEqual(
          got.map((m) => (JSON.parse(m.body) as { id: number }).id),
          [2]
        );
      } finally {
        await queue.close();
      }
    });

    it('sends a TRUNCATE as an envelope with op "truncate" and no row, in commit order, whatever the condition', async () => {
      const { app, baseUrl, token } = ctx();
      const queue = await amqpQueue(wipeQueue);
      try {
        await capture(baseUrl, token, 'wiped');
        await app.db.query(`INSERT INTO wiped (v) VALUES (500), (1)`);
        await app.db.query(`TRUNCATE wiped`);
        await app.db.query(`INSERT INTO wiped (v) VALUES (700)`);
        const got = (await queue.waitFor(3)).map(
          (m) => JSON.parse(m.body) as { op: string; table: string; key: unknown; row: { v: number } | null }
        );
        assert.deepEqual(
          got.map((m) => [m.op, m.row?.v ?? null, m.table]),
          [
            ['insert', 500, 'wiped'],
            ['truncate', null, 'wiped'],
            ['insert', 700, 'wiped'],
          ]
        );
        assert.equal(got[1].key, null);
      } finally {
        await queue.close();
      }
    });

    it('keeps the rows while no queue is bound (RabbitMQ returns them), says why, and sends them once one is', async () => {
      const { app, baseUrl, token } = ctx();
      await capture(baseUrl, token, 'late_rows');
      await app.db.query(`INSERT INTO late_rows (id) VALUES (1), (2), (3)`);
      const status = await waitFor('the unroutable error', async () => {
        const s = (await (
          await fetch(`${baseUrl}/api/v1/relay`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as { lastError: { message: string } | null };
        return s.lastError?.message.includes(lateQueue) && s;
      });
      assert.match(status.lastError!.message, /returned unroutable: no queue is bound for queue/);
      const kept = await app.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tsgw_relay.outbox WHERE source = 'late_rows'`
      );
      assert.equal(kept.rows[0].n, 3, 'the rows stay in the outbox');
      const queue = await amqpQueue(lateQueue);
      try {
        const got = await queue.waitFor(3, 30_000);
        assert.deepEqual(got.map((m) => (JSON.parse(m.body) as { id: number }).id).sort(), [1, 2, 3]);
      } finally {
        await queue.close();
      }
    });

    it('loses nothing while the broker link is cut for 10 s, duplicates at most one batch, and resumes by itself', async () => {
      const { app, baseUrl, token } = ctx();
      const queue = await amqpQueue(cutQueue);
      try {
        await capture(baseUrl, token, 'cut_rows');
        const total = 3000;
        let next = 0;
        const writer = (async () => {
          while (next < total) {
            await app.db.query(`INSERT INTO cut_rows (id) SELECT g FROM generate_series($1::int, $2::int) g`, [
              next,
              next + 99,
            ]);
            next += 100;
            await new Promise((r) => setTimeout(r, 50));
          }
        })();
        await waitFor('the first messages', async () => queue.received.length > 0);
        await proxy.cut(10_000);
        await writer;
        await waitFor(
          `all ${total} rows`,
          async () => new Set(queue.received.map((m) => m.body)).size >= total,
          60_000
        );
        const ids = queue.received.map((m) => (JSON.parse(m.body) as { id: number }).id);
        assert.deepEqual(
          [...new Set(ids)].sort((a, b) => a - b),
          Array.from({ length: total }, (_, i) => i),
          'every row arrived'
        );
        const duplicates = ids.length - new Set(ids).size;
        assert.ok(duplicates <= BATCH, `${duplicates} duplicates: at most one batch (${BATCH})`);
        const status = (await (
          await fetch(`${baseUrl}/api/v1/relay`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as { retried: number; lastError: unknown };
        assert.ok(status.retried > 0, 'the cut was noticed');
        assert.ok(status.lastError, 'and reported');
      } finally {
        await queue.close();
      }
    });
  },
  {
    env: { MESSAGING_CONFIG: config },
    setup: async (db, { timescale }) => {
      await db.query(
        `CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY, txn int NOT NULL, n int NOT NULL, at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (id, at))`
      );
      // A hypertable where TimescaleDB is there: the trigger fires on its chunks.
      if (timescale) {
        await db.query(`SELECT create_hypertable('orders', 'at')`);
      }
      await db.query(`CREATE TABLE big_rows (id int PRIMARY KEY, body text)`);
      await db.query(`CREATE TABLE cut_rows (id int PRIMARY KEY)`);
      await db.query(`CREATE TABLE events (id int PRIMARY KEY, level int)`);
      await db.query(`CREATE TABLE late_rows (id int PRIMARY KEY)`);
      await db.query(`CREATE TABLE quiet_rows (id int PRIMARY KEY)`);
      await db.query(`CREATE TABLE wiped (v int NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
      if (timescale) {
        await db.query(`SELECT create_hypertable('wiped', 'at')`);
      }
    },
  }
);

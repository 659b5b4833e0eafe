import { Redis } from 'ioredis';
import { connect as natsConnect, headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as amqpConnect } from 'amqplib';
import mqtt from 'mqtt';

/**
 * Test-side producers for the real brokers on 127.0.0.1: each publishes messages carrying
 * an id (header, property or payload field, as its source is configured) and cleans up the
 * stream / queue it made.
 */
export interface TestMessage {
  id: string;
  body: string;
}

export interface Publisher {
  publish(messages: TestMessage[]): Promise<void>;
  close(): Promise<void>;
}

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const NATS_URL = 'nats://127.0.0.1:4222';
export const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const MQTT_URL = 'mqtt://127.0.0.1:1883';

export async function redisPublisher(stream: string, url = REDIS_URL): Promise<Publisher> {
  const redis = new Redis(url);
  return {
    async publish(messages) {
      for (let i = 0; i < messages.length; i += 1000) {
        const p = redis.pipeline();
        for (const m of messages.slice(i, i + 1000)) {
          p.xadd(stream, '*', 'payload', m.body, 'msg-id', m.id);
        }
        await p.exec();
      }
    },
    async close() {
      await redis.del(stream);
      await redis.quit();
    },
  };
}

export async function natsPublisher(stream: string, subject: string, url = NATS_URL): Promise<Publisher> {
  const nc = await natsConnect({ servers: new URL(url).host });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [subject] });
  const js = jetstream(nc);
  return {
    async publish(messages) {
      for (let i = 0; i < messages.length; i += 500) {
        await Promise.all(
          messages.slice(i, i + 500).map((m) => {
            const h = natsHeaders();
            h.set('msg-id', m.id);
            return js.publish(subject, m.body, { headers: h });
          })
        );
      }
    },
    async close() {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}

export async function amqpPublisher(queue: string, url = AMQP_URL): Promise<Publisher> {
  const connection = await amqpConnect(url);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  return {
    async publish(messages) {
      for (const m of messages) {
        channel.sendToQueue(queue, Buffer.from(m.body), { messageId: m.id, persistent: true });
      }
      await channel.waitForConfirms();
    },
    async close() {
      await channel.deleteQueue(queue).catch(() => undefined);
      await connection.close();
    },
  };
}

/** MQTT, QoS 1. Mosquitto drops what a slow subscriber's queue (max_queued_messages, 1000) cannot hold: `paced` waits for the consumer. */
export async function mqttPublisher(
  topic: string,
  received: () => number,
  url = MQTT_URL
): Promise<Publisher & { refusals: () => string[] }> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `pub-${topic.replace(/\W/g, '_')}` });
  let sent = 0;
  // PUBACK reason codes other than success / "no matching subscribers", for a failing test to show.
  const refusals: string[] = [];
  return {
    refusals: () => refusals,
    async publish(messages) {
      for (let i = 0; i < messages.length; i += 100) {
        const batch = messages.slice(i, i + 100);
        const acks = await Promise.all(batch.map((m) => client.publishAsync(topic, m.body, { qos: 1 })));
        acks.forEach((ack, k) => {
          const code = ack && 'reasonCode' in ack ? ack.reasonCode : 0;
          if (code && code !== 16) {
            refusals.push(`${batch[k].id}:${code}`);
          }
        });
        sent += batch.length;
        // Far inside the broker's 1,000-message queue; a stall past 20 s means messages were dropped.
        const until = Date.now() + 20_000;
        while (sent - received() > 200 && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 10));
        }
        if (sent - received() > 200) {
          throw new Error(
            `the subscriber received ${received()} of ${sent} messages: the broker dropped some or the gateway stalled`
          );
        }
      }
    },
    async close() {
      await client.endAsync();
    },
  };
}

import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The brokers on this machine (CI starts them); every test names its own queues and streams. */
export const AMQP_URL = process.env.TEST_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
export const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.TEST_NATS_URL || 'nats://127.0.0.1:4222';
export const MQTT_URL = process.env.TEST_MQTT_URL || 'mqtt://127.0.0.1:1883';

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Writes a messaging config file and returns its path. */
export function writeMessagingConfig(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tsgw-messaging-')), 'messaging.yaml');
  writeFileSync(path, yaml);
  return path;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  ms = 20_000,
  everyMs = 100
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A RabbitMQ queue of this test (auto-deleted when its connection goes), with everything it received. */
export async function amqpQueue(name = uniqueName('tsgw_q')) {
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  await channel.assertQueue(name, { exclusive: true, autoDelete: true });
  const received: Array<{ body: string; messageId?: string }> = [];
  await channel.consume(name, (msg) => {
    if (!msg) {
      return;
    }
    received.push({ body: msg.content.toString(), messageId: msg.properties.messageId });
    channel.ack(msg);
  });
  return {
    name,
    received,
    waitFor: (count: number, ms = 30_000) =>
      waitFor(
        `${count} messages on queue ${name} (have ${received.length})`,
        async () => received.length >= count && received,
        ms
      ),
    close: async () => connection.close().catch(() => undefined),
  };
}

/** A Redis stream of this test; `entries()` reads it whole as objects of its fields. */
export function redisStream(name = uniqueName('tsgw_s')) {
  const redis = new Redis(REDIS_URL);
  const entries = async () => {
    const raw = await redis.xrange(name, '-', '+');
    return raw.map(([, fields]) =>
      Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]))
    );
  };
  return {
    name,
    entries,
    waitFor: (count: number, ms = 30_000) =>
      waitFor(
        `${count} entries on stream ${name}`,
        async () => {
          const e = await entries();
          return e.length >= count && e;
        },
        ms
      ),
    close: async () => {
      await redis.del(name).catch(() => undefined);
      redis.disconnect();
    },
  };
}

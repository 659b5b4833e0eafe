import { Redis } from 'ioredis';
import { confirmWithin, type BrokerLog, type OutboundMessage, type Publisher } from './publisher';

export type RedisTarget = { stream: string; maxLen: number } | { channel: string };

/**
 * Redis: `XADD` (capped with `MAXLEN ~`) to a stream, or `PUBLISH` to a channel, pipelined; the
 * reply to each command is the confirmation. Commands are never queued while disconnected nor
 * resent after a reconnect: the relay's retry of the batch is the only resend.
 */
export function createRedisPublisher(url: string, log: BrokerLog): Publisher<RedisTarget> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'Redis connection error'));

  return {
    async publish(target, messages, timeoutMs) {
      if (redis.status === 'wait') {
        await redis.connect();
      }
      const pipeline = redis.pipeline();
      for (const m of messages) {
        if ('stream' in target) {
          pipeline.xadd(target.stream, 'MAXLEN', '~', String(target.maxLen), '*', ...streamFields(m));
        } else {
          pipeline.publish(target.channel, m.body);
        }
      }
      const replies = await confirmWithin(
        pipeline.exec(),
        timeoutMs,
        `Redis write of ${messages.length} message(s)`,
        () => redis.disconnect(true)
      );
      const failed = replies?.find(([err]) => err);
      if (!replies || failed) {
        throw failed?.[0] ?? new Error('Redis pipeline returned nothing');
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** A stream entry: the object's own fields (text as is, other values as JSON), plus `message_id` when there is one. */
export function streamFields(m: OutboundMessage): string[] {
  const out: string[] = [];
  if (m.fields) {
    for (const [k, v] of Object.entries(m.fields)) {
      out.push(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
  } else {
    out.push('data', m.body);
  }
  if (m.id !== undefined) {
    out.push('message_id', m.id);
  }
  return out;
}

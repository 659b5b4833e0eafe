import amqp from 'amqplib';
import { lazyConnection } from './lazy-connection';
import { confirmWithin, type BrokerLog, type Publisher } from './publisher';

export interface AmqpTarget {
  /** '' = the default exchange, where the routing key is a queue name. */
  exchange: string;
  routingKey: string;
}

/** A publish the broker confirmed but could route to no queue (returned under `mandatory`). */
export class UnroutableError extends Error {
  constructor(target: AmqpTarget, count: number) {
    const where =
      target.exchange === ''
        ? `queue "${target.routingKey}" (default exchange)`
        : `exchange "${target.exchange}" with routing key "${target.routingKey}"`;
    super(`${count} message(s) returned unroutable: no queue is bound for ${where}`);
    this.name = 'UnroutableError';
  }
}

const targetKey = (exchange: string, routingKey: string): string => `${exchange}\u0000${routingKey}`;

/**
 * AMQP 0-9-1 (RabbitMQ) on a confirm channel: persistent messages, the outbox id as `messageId`.
 * Published `mandatory`: a confirm alone also acks a message that reached no queue (RabbitMQ
 * drops it), so the broker's returns are counted per destination and a batch with any return
 * fails; the relay keeps its rows and retries until a queue is bound.
 */
export function createAmqpPublisher(url: string, log: BrokerLog): Publisher<AmqpTarget> {
  // Returns by destination. RabbitMQ sends basic.return before the confirm of that message.
  const returned = new Map<string, number>();
  const link = lazyConnection(
    async (lost) => {
      // A heartbeat notices a silently dead link; the connect timeout bounds a hanging handshake.
      const connection = await amqp.connect(url, { timeout: 5000, heartbeat: 10 } as amqp.Options.Connect);
      connection.on('error', (err: Error) => log.warn({ err }, 'AMQP connection error'));
      connection.on('close', lost);
      const channel = await connection.createConfirmChannel();
      channel.on('error', (err: Error) => log.warn({ err }, 'AMQP channel error'));
      channel.on('close', lost);
      channel.on('return', (msg: amqp.Message) => {
        const key = targetKey(msg.fields.exchange, msg.fields.routingKey);
        returned.set(key, (returned.get(key) ?? 0) + 1);
      });
      return { connection, channel };
    },
    ({ connection }) => connection.close()
  );

  return {
    async publish(target, messages, timeoutMs) {
      const { channel } = await link.get();
      const key = targetKey(target.exchange, target.routingKey);
      const returnedBefore = returned.get(key) ?? 0;
      const sent = (async () => {
        for (const m of messages) {
          const ok = channel.publish(target.exchange, target.routingKey, Buffer.from(m.body), {
            mandatory: true,
            persistent: true,
            contentType: 'application/json',
            messageId: m.id,
          });
          // The socket's buffer is full: wait until it drained rather than growing it without end.
          if (!ok) {
            await new Promise<void>((resolve) => channel.once('drain', resolve));
          }
        }
        await channel.waitForConfirms();
      })();
      await confirmWithin(sent, timeoutMs, `AMQP publish of ${messages.length} message(s)`, link.drop);
      const lost = (returned.get(key) ?? 0) - returnedBefore;
      if (lost > 0) {
        throw new UnroutableError(target, lost);
      }
    },
    close: link.close,
  };
}

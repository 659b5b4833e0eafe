import amqp from 'amqplib';
import { lazyConnection } from './lazy-connection';
import { confirmWithin, type BrokerLog, type Publisher } from './publisher';

export interface AmqpTarget {
  /** '' = the default exchange, where the routing key is a queue name. */
  exchange: string;
  routingKey: string;
}

/** AMQP 0-9-1 (RabbitMQ) on a confirm channel: persistent messages, the outbox id as `messageId`. */
export function createAmqpPublisher(url: string, log: BrokerLog): Publisher<AmqpTarget> {
  const link = lazyConnection(
    async (lost) => {
      // A heartbeat notices a silently dead link; the connect timeout bounds a hanging handshake.
      const connection = await amqp.connect(url, { timeout: 5000, heartbeat: 10 } as amqp.Options.Connect);
      connection.on('error', (err: Error) => log.warn({ err }, 'AMQP connection error'));
      connection.on('close', lost);
      const channel = await connection.createConfirmChannel();
      channel.on('error', (err: Error) => log.warn({ err }, 'AMQP channel error'));
      channel.on('close', lost);
      return { connection, channel };
    },
    ({ connection }) => connection.close()
  );

  return {
    async publish(target, messages, timeoutMs) {
      const { channel } = await link.get();
      const sent = (async () => {
        for (const m of messages) {
          const ok = channel.publish(target.exchange, target.routingKey, Buffer.from(m.body), {
            persistent: true,
            contentType: 'application/json',
            messageId: m.id,
          });
          // The socket's buffer is full: wait until it drained rather than growing it without end.
          if (!ok) await new Promise<void>((resolve) => channel.once('drain', resolve));
        }
        await channel.waitForConfirms();
      })();
      await confirmWithin(sent, timeoutMs, `AMQP publish of ${messages.length} message(s)`, link.drop);
    },
    close: link.close,
  };
}

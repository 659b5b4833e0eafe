import amqp from 'amqplib';
import { confirmWithin, type BrokerLog, type OutboundMessage, type Publisher } from './publisher';

export interface AmqpTarget {
  /** '' = the default exchange, where the routing key is a queue name. */
  exchange: string;
  routingKey: string;
}

/** AMQP 0-9-1 (RabbitMQ) on a confirm channel: persistent messages, the outbox id as `messageId`. */
export function createAmqpPublisher(url: string, log: BrokerLog): Publisher<AmqpTarget> {
  let connection: amqp.ChannelModel | null = null;
  let channel: Promise<amqp.ConfirmChannel> | null = null;

  const drop = () => {
    const old = connection;
    connection = null;
    channel = null;
    void old?.close().catch(() => undefined);
  };

  const open = async (): Promise<amqp.ConfirmChannel> => {
    // A heartbeat notices a silently dead link; the connect timeout bounds a hanging handshake.
    const conn = await amqp.connect(url, { timeout: 5000, heartbeat: 10 } as amqp.Options.Connect);
    connection = conn;
    conn.on('error', (err: Error) => log.warn({ err }, 'AMQP connection error'));
    conn.on('close', () => {
      if (connection === conn) drop();
    });
    const ch = await conn.createConfirmChannel();
    ch.on('error', (err: Error) => log.warn({ err }, 'AMQP channel error'));
    ch.on('close', () => {
      if (connection === conn) drop();
    });
    return ch;
  };

  return {
    async publish(target, messages, timeoutMs) {
      if (!channel) {
        channel = open();
        channel.catch(() => drop());
      }
      const ch = await channel;
      const sent = (async () => {
        for (const m of messages) {
          const ok = ch.publish(target.exchange, target.routingKey, Buffer.from(m.body), {
            persistent: true,
            contentType: 'application/json',
            messageId: m.id,
          });
          // The socket's buffer is full: wait until it drained rather than growing it without end.
          if (!ok) await new Promise<void>((resolve) => ch.once('drain', resolve));
        }
        await ch.waitForConfirms();
      })();
      await confirmWithin(sent, timeoutMs, `AMQP publish of ${messages.length} message(s)`, drop);
    },
    async close() {
      const conn = connection;
      connection = null;
      channel = null;
      await conn?.close().catch(() => undefined);
    },
  };
}

import { connect, headers } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { lazyConnection } from './lazy-connection';
import { confirmWithin, type BrokerLog, type Publisher } from './publisher';

export interface NatsTarget {
  subject: string;
  /** JetStream: each publish is acknowledged by the stream, and `Nats-Msg-Id` lets it drop duplicates. */
  jetstream: boolean;
}

export function createNatsPublisher(url: string, log: BrokerLog): Publisher<NatsTarget> {
  const link = lazyConnection(
    async (lost) => {
      const nc = await connect({ servers: url, timeout: 5000, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
      void nc.closed().then((err) => {
        if (err) {
          log.warn({ err }, 'NATS connection closed');
        }
        lost();
      });
      return nc;
    },
    (nc, graceful) => (graceful ? nc.drain() : nc.close())
  );

  return {
    async publish(target, messages, timeoutMs) {
      const nc = await link.get();
      const sent = (async () => {
        if (target.jetstream) {
          const js = jetstream(nc);
          // Published back to back, acknowledged in any order; the stream keeps publish order.
          await Promise.all(
            messages.map((m) => js.publish(target.subject, m.body, { msgID: m.id, timeout: timeoutMs }))
          );
        } else {
          for (const m of messages) {
            const h = m.id === undefined ? undefined : headers();
            if (m.id !== undefined) {
              h!.set('Nats-Msg-Id', m.id);
            }
            nc.publish(target.subject, m.body, h ? { headers: h } : undefined);
          }
          await nc.flush();
        }
      })();
      await confirmWithin(sent, timeoutMs, `NATS publish of ${messages.length} message(s)`, link.drop);
    },
    close: link.close,
  };
}

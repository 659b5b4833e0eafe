import type { ChangeNotifications } from '../../db/notifications';
import type { BrokerLog, OutboundMessage } from '../brokers/publisher';
import { backoffDelay } from '../brokers/backoff';
import type { BrokerSet } from './broker-set';
import type { NotifyRoute } from './config';
import { objectFields } from './message-format';
import type { RelayMetrics } from './relay-metrics';

/** Payloads kept in memory per route while its broker is unreachable; beyond, the oldest go. */
const QUEUE_LIMIT = 10_000;
const BATCH = 500;

/**
 * The seed's pattern: a trigger calls pg_notify(channel, json), the gateway LISTENs and
 * publishes each payload as it is. At most once: a NOTIFY sent while no gateway listens is
 * gone, and one waiting here in memory is gone if the gateway stops. Use the outbox for
 * changes that must arrive.
 */
export class NotifyRelay {
  private readonly routes: Array<{ route: NotifyRoute; queue: OutboundMessage[]; running: boolean; attempt: number }>;
  private readonly unsubscribes: Array<() => Promise<void>> = [];
  private closed = false;

  constructor(
    routes: NotifyRoute[],
    private readonly brokers: BrokerSet,
    private readonly metrics: RelayMetrics,
    private readonly log: BrokerLog,
    private readonly publishTimeoutMs = 10_000
  ) {
    this.routes = routes.map((route) => ({ route, queue: [], running: false, attempt: 0 }));
  }

  async start(notifications: ChangeNotifications): Promise<void> {
    for (const r of this.routes) {
      const off = await notifications.subscribe(r.route.channel, (payload) => this.enqueue(r, payload), {
        onResume: () =>
          this.log.warn(
            { channel: r.route.channel },
            'NOTIFY relay: notifications sent while the LISTEN connection was down are lost (NOTIFY is at-most-once)'
          ),
      });
      this.unsubscribes.push(off);
    }
  }

  get queued(): number {
    return this.routes.reduce((n, r) => n + r.queue.length, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.unsubscribes.map((off) => off()));
  }

  private enqueue(r: (typeof this.routes)[number], payload: string): void {
    r.queue.push({ body: payload, fields: objectFields(payload) });
    if (r.queue.length > QUEUE_LIMIT) {
      r.queue.shift();
      this.metrics.onDropped('notify', 'queue_full', 1);
      this.log.warn(
        { channel: r.route.channel, limit: QUEUE_LIMIT },
        'NOTIFY relay: broker unreachable and the in-memory queue is full; dropping the oldest payload'
      );
    }
    if (!r.running) {
      void this.drain(r);
    }
  }

  private async drain(r: (typeof this.routes)[number]): Promise<void> {
    r.running = true;
    try {
      while (r.queue.length > 0 && !this.closed) {
        const batch = r.queue.slice(0, BATCH);
        try {
          await this.brokers.publish(r.route.to, batch, this.publishTimeoutMs);
          r.queue.splice(0, batch.length);
          r.attempt = 0;
          this.metrics.onPublished('notify', r.route.to.broker, batch.length);
        } catch (err) {
          this.metrics.onRetry('notify', r.route.to.broker, err);
          const delay = backoffDelay(++r.attempt);
          this.log.warn(
            { err, channel: r.route.channel, broker: r.route.to.broker, retryMs: delay },
            'NOTIFY relay: publish failed; retrying'
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    } finally {
      r.running = false;
    }
  }
}

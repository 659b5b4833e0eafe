import type { FastifyInstance } from 'fastify';
import { BrokerSet } from './broker-set';
import type { OutboxRoute, RelayConfig } from './config';
import { NotifyRelay } from './notify-relay';
import { OutboxRelay, type BoundRoute } from './outbox-relay';
import { installCaptureTrigger, installOutboxSchema } from './outbox-schema';
import { RelayMetrics } from './relay-metrics';

/** Everything the relay runs in one gateway: the NOTIFY bridges, the outbox, their brokers. */
export class Relay {
  readonly metrics: RelayMetrics;
  private readonly brokers: BrokerSet;
  private notify: NotifyRelay | null = null;
  outbox: OutboxRelay | null = null;
  private routes: BoundRoute[] = [];

  constructor(
    private readonly app: FastifyInstance,
    readonly config: RelayConfig
  ) {
    this.metrics = new RelayMetrics(app.metrics);
    this.brokers = new BrokerSet(config.brokers, app.log);
  }

  async start(): Promise<void> {
    const { app, config } = this;
    if (config.notify.length > 0) {
      this.notify = new NotifyRelay(
        config.notify,
        this.brokers,
        this.metrics,
        app.log,
        config.outbox?.publishTimeoutMs
      );
      await this.notify.start(app.notifications);
    }
    if (config.outbox) {
      await installOutboxSchema(app.db);
      this.routes = config.outbox.tables.map((route) => this.bind(route));
      if (config.outbox.installTriggers) {
        for (const source of new Set(this.routes.map((r) => r.source))) {
          if (!this.app.catalog.list().some((t) => t.name === source)) {
            continue;
          }
          const ops = [...new Set(this.routes.filter((r) => r.source === source).flatMap((r) => r.operations))];
          await installCaptureTrigger(app.db, app.catalog.resolveTable(source), ops);
        }
      }
      this.outbox = new OutboxRelay(app.db, this.routes, config.outbox, this.brokers, this.metrics, app.log);
      await this.outbox.start(app.notifications);
      app.log.info({ tables: [...new Set(this.routes.map((r) => r.source))] }, 'Outbox relay started');
    }
  }

  /** The tables routes send from (catalog names). */
  get outboxSources(): string[] {
    return [...new Set(this.routes.map((r) => r.source))];
  }

  status() {
    const { counts, lastError, backlog } = this.metrics;
    return {
      enabled: true,
      brokers: [...this.config.brokers].map(([name, b]) => ({ name, kind: b.kind, url: b.redacted })),
      notify: this.config.notify.map((n) => ({ channel: n.channel, broker: n.to.broker })),
      notifyQueued: this.notify?.queued ?? 0,
      outbox: this.outbox
        ? {
            tables: this.outboxSources,
            holdsLease: this.outbox.holdsLease,
            lastBatchAt: this.outbox.lastBatchAt?.toISOString() ?? null,
            backlogRows: backlog.rows,
            oldestAgeSeconds: Math.round(backlog.oldestAgeSeconds * 1000) / 1000,
          }
        : null,
      published: counts.published,
      retried: counts.retried,
      dropped: counts.dropped,
      lastError,
    };
  }

  async close(): Promise<void> {
    await this.notify?.close();
    await this.outbox?.close();
    await this.brokers.close();
  }

  /** The route with its table's catalog name (bare in public): the name the capture trigger writes. */
  private bind(route: OutboxRoute): BoundRoute {
    try {
      return { ...route, source: this.app.catalog.resolveTable(route.table).name };
    } catch {
      const source = route.table.startsWith('public.') ? route.table.slice('public.'.length) : route.table;
      this.app.log.warn(
        { table: route.table },
        `relay.outbox.tables: table "${route.table}" does not exist yet; once it does, capture it with POST /api/v1/relay/outbox/${source}`
      );
      return { ...route, source };
    }
  }
}

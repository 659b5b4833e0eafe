import { Counter, Gauge, type Registry } from 'prom-client';

/** The relay's numbers, for `/metrics` and `GET /api/v1/relay` alike. */
export class RelayMetrics {
  readonly published: Counter<'source' | 'broker'>;
  readonly retried: Counter<'source' | 'broker'>;
  readonly dropped: Counter<'source' | 'reason'>;
  readonly backlogRows: Gauge;
  readonly oldestAgeSeconds: Gauge;
  readonly lastErrorTime: Gauge;
  lastError: { message: string; at: string } | null = null;
  readonly counts = { published: 0, retried: 0, dropped: 0 };
  readonly backlog = { rows: 0, oldestAgeSeconds: 0 };

  constructor(registry: Registry) {
    const registers = [registry];
    this.published = new Counter({
      name: 'gateway_relay_published_total',
      help: 'Messages the brokers confirmed, by source (notify, outbox) and broker',
      labelNames: ['source', 'broker'],
      registers,
    });
    this.retried = new Counter({
      name: 'gateway_relay_retried_total',
      help: 'Publish attempts that failed and will be retried, by source and broker',
      labelNames: ['source', 'broker'],
      registers,
    });
    this.dropped = new Counter({
      name: 'gateway_relay_dropped_total',
      help: 'Changes dropped undelivered, by source and reason (backlog_rows, backlog_age, queue_full)',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.backlogRows = new Gauge({
      name: 'gateway_relay_outbox_backlog_rows',
      help: 'Outbox rows not yet delivered',
      registers,
    });
    this.oldestAgeSeconds = new Gauge({
      name: 'gateway_relay_outbox_oldest_age_seconds',
      help: 'Age of the oldest undelivered outbox row (0 when none)',
      registers,
    });
    this.lastErrorTime = new Gauge({
      name: 'gateway_relay_last_error_timestamp_seconds',
      help: 'When the relay last failed to publish (Unix time; 0 = never)',
      registers,
    });
  }

  setBacklog(rows: number, oldestAgeSeconds: number): void {
    this.backlog.rows = rows;
    this.backlog.oldestAgeSeconds = oldestAgeSeconds;
    this.backlogRows.set(rows);
    this.oldestAgeSeconds.set(oldestAgeSeconds);
  }

  onPublished(source: string, broker: string, n: number): void {
    this.published.inc({ source, broker }, n);
    this.counts.published += n;
  }

  onRetry(source: string, broker: string, err: unknown): void {
    this.retried.inc({ source, broker });
    this.counts.retried++;
    this.lastError = { message: `${broker}: ${(err as Error)?.message ?? String(err)}`, at: new Date().toISOString() };
    this.lastErrorTime.set(Date.now() / 1000);
  }

  onDropped(source: string, reason: string, n: number): void {
    this.dropped.inc({ source, reason }, n);
    this.counts.dropped += n;
  }
}

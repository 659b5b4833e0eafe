import type { FastifyBaseLogger } from 'fastify';
import type { Catalog, ResolvedTable } from '../../catalog/catalog';
import { ConfigError } from '../../config-error';
import type { Db } from '../../db/types';
import { ApiError } from '../../errors';
import { createConsumer } from './create-consumer';
import { messageDecoder } from './decoders/decode-message';
import type { IngestSourceConfig } from './ingest-config';
import { IngestPipeline, type PipelineEvents } from './ingest-pipeline';
import { ensureIngestTables } from './ingest-tables';
import type { BrokerConsumer } from './inbound-message';
import { emptyStats, type SourceStats } from './source-stats';

// As the REST POST: views that PostgreSQL can write through are allowed.
const NOT_WRITABLE = new Set(['materialized_view', 'continuous_aggregate']);
const BACKLOG_POLL_MS = 5000;
const PRUNE_EVERY_MS = 3600_000;

export interface SourceContext {
  db: Db;
  catalog: Catalog;
  copyThreshold: number;
  /** Makes consumer names (MQTT client id, Redis consumer) unique per gateway and stable across its restarts. */
  instance: string;
  log: FastifyBaseLogger;
  events: PipelineEvents;
}

/** One configured source: its table checked, its consumer running, its pipeline writing. */
export class IngestSource {
  readonly stats: SourceStats;
  private consumer: BrokerConsumer | null = null;
  private pipeline: IngestPipeline | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly config: IngestSourceConfig,
    private readonly ctx: SourceContext
  ) {
    this.stats = emptyStats(config.name, config.broker, config.table);
  }

  async start(): Promise<void> {
    const { db, catalog } = this.ctx;
    const table = this.checkedTable(await this.resolveTable());
    const tables = await ensureIngestTables(db, table);
    await catalog.refresh();
    const target = { db, table, tables, source: this.config.name, copyThreshold: this.ctx.copyThreshold };
    this.pipeline = new IngestPipeline(
      this.config,
      messageDecoder(this.config.decoder),
      target,
      this.stats,
      this.ctx.events,
      this.ctx.log
    );
    this.consumer = await createConsumer(this.config, this.ctx.instance, this.ctx.log);
    await this.consumer.start(this.pipeline);
    this.stats.state = 'running';
    this.every(BACKLOG_POLL_MS, () => this.pollBacklog());
    const prune = () => this.pruneSeen(tables.seen);
    void prune();
    this.every(PRUNE_EVERY_MS, prune);
  }

  /** Consumer first (no new messages), then the pipeline (the batch being written finishes; the rest stays unacked). */
  async close(): Promise<void> {
    for (const t of this.timers) {
      clearInterval(t);
    }
    this.stats.state = 'stopped';
    await this.consumer
      ?.close()
      .catch((err) => this.ctx.log.warn({ err, source: this.config.name }, 'closing the consumer failed'));
    await this.pipeline?.close();
  }

  private async resolveTable(): Promise<ResolvedTable> {
    try {
      return await this.ctx.catalog.resolveTableFresh(this.config.table);
    } catch (err) {
      if (err instanceof ApiError) {
        throw new ConfigError(`${this.config.tableAt}: ${err.message}`);
      }
      throw err;
    }
  }

  /** The columns the decoder names must exist: a typo is a start-up error, not ten thousand dead letters. */
  private checkedTable(table: ResolvedTable): ResolvedTable {
    if (NOT_WRITABLE.has(table.kind)) {
      throw new ConfigError(
        `${this.config.tableAt}: "${table.name}" is a ${table.kind.replace('_', ' ')} and cannot take rows`
      );
    }
    const d = this.config.decoder;
    const named = [
      ...Object.keys(d.fields ?? {}),
      ...Object.keys(d.defaults),
      ...(d.format === 'line-protocol' ? [d.timeColumn, ...(d.measurementColumn ? [d.measurementColumn] : [])] : []),
      ...(d.format === 'csv' && !d.fields ? (d.columns ?? []) : []),
    ];
    for (const column of named) {
      if (!table.columns.some((c) => c.name === column)) {
        throw new ConfigError(
          `${this.config.tableAt}: the decoder names column "${column}", which "${table.name}" does not have`
        );
      }
    }
    return table;
  }

  private every(ms: number, fn: () => unknown): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private async pollBacklog(): Promise<void> {
    try {
      this.stats.backlog = (await this.consumer?.backlog?.()) ?? null;
    } catch {
      // The broker is reconnecting; the adapter reports that itself.
    }
  }

  /** Ids older than the retention are forgotten: a redelivery later than that is stored again. */
  private async pruneSeen(seen: string): Promise<void> {
    try {
      await this.ctx.db.query(
        `DELETE FROM ${seen} WHERE source = $1 AND seen_at < now() - make_interval(hours => $2)`,
        [this.config.name, this.config.dedupeRetentionHours]
      );
    } catch (err) {
      this.ctx.log.warn({ err, source: this.config.name }, 'pruning old message ids failed');
    }
  }
}

import type { FastifyBaseLogger } from 'fastify';
import { Backoff, sleep } from '../brokers/backoff';
import { DecodeError } from './decoders/decode-error';
import type { MessageDecoder } from './decoders/decode-message';
import type { IngestSourceConfig } from './ingest-config';
import { writeBatch, type IngestTarget, type PendingMessage } from './ingest-writer';
import type { InboundMessage, MessageSink } from './inbound-message';
import type { SourceStats } from './source-stats';

/** Called once per written batch, for metrics. */
export interface PipelineEvents {
  received(): void;
  written(outcome: { rows: number; messages: number; duplicates: number; deadLettered: number; seconds: number }): void;
  retried(err: unknown): void;
}

/**
 * Between a broker adapter and the database: messages are decoded as they arrive and grouped
 * into batches (`batchRows` rows or `batchWaitMs`, whichever comes first); one batch is
 * written at a time, in arrival order, and only then are its messages acknowledged — in
 * order, which is what Kafka offsets and AMQP / JetStream acks need.
 *
 * Memory stays bounded: at most `maxInFlight` messages are held (received, not yet acked).
 * `push` does not resolve while the pipeline is full, so a pulling adapter stops fetching,
 * and pushing brokers stop sending at their prefetch / receive maximum, which the adapters
 * set to the same number. When the database is down, the batch being written is retried
 * with backoff, nothing new is written and nothing is acked: the backlog waits in the broker.
 */
export class IngestPipeline implements MessageSink {
  private filling: PendingMessage[] = [];
  private fillingRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly ready: PendingMessage[][] = [];
  private writing: Promise<void> | null = null;
  private held = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly config: IngestSourceConfig,
    private readonly decode: MessageDecoder,
    private readonly target: IngestTarget,
    readonly stats: SourceStats,
    private readonly events: PipelineEvents,
    private readonly log: FastifyBaseLogger
  ) {}

  async push(message: InboundMessage): Promise<void> {
    if (this.abort.signal.aborted) {
      return;
    }
    this.held++;
    this.stats.received++;
    if (this.stats.state === 'reconnecting') {
      this.stats.state = 'running';
    }
    this.events.received();
    this.stats.inFlight = this.held;
    const pending = this.decodeMessage(message);
    this.filling.push(pending);
    this.fillingRows += Math.max(1, pending.rows.length);
    if (this.fillingRows >= this.config.batchRows) {
      this.seal();
    } else {
      this.timer ??= setTimeout(() => this.seal(), this.config.batchWaitMs);
    }
    if (this.held >= this.config.maxInFlight) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  brokerError(err: unknown): void {
    this.noteError(err);
    this.stats.state = 'reconnecting';
  }

  /** Stops writing; what is not yet written stays unacked (the broker redelivers it). */
  async close(): Promise<void> {
    this.abort.abort();
    if (this.timer) {
      clearTimeout(this.timer);
    }
    await this.writing;
    for (const w of this.waiters.splice(0)) {
      w();
    }
  }

  private decodeMessage(message: InboundMessage): PendingMessage {
    const pending: PendingMessage = { message, id: null, rows: [], failure: null };
    const idSource = this.config.messageId;
    if (idSource.from === 'broker') {
      pending.id = message.brokerId;
    } else if (idSource.from === 'header') {
      pending.id = message.header(idSource.name) ?? null;
    }
    try {
      const decoded = this.decode(message.payload);
      pending.rows = decoded.rows;
      if (idSource.from === 'field') {
        const v = decoded.field(idSource.name);
        pending.id = v === undefined || v === null ? null : String(v);
      }
    } catch (err) {
      if (!(err instanceof DecodeError)) {
        throw err;
      }
      pending.failure = { error: err.message };
    }
    return pending;
  }

  /** The filling batch is complete: queue it for the writer. */
  private seal(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = null;
    if (this.filling.length === 0) {
      return;
    }
    this.ready.push(this.filling);
    this.filling = [];
    this.fillingRows = 0;
    this.writing ??= this.writeAll().finally(() => (this.writing = null));
  }

  private async writeAll(): Promise<void> {
    for (let batch = this.ready.shift(); batch && !this.abort.signal.aborted; batch = this.ready.shift()) {
      const written = await this.writeWithRetry(batch);
      if (!written) {
        return;
      }
      // Acks go out together (adapters pipeline them); a lost one only means a redelivery,
      // which finds its id already stored.
      const settle = (m: PendingMessage) =>
        m.failure && m.message.deadLetter ? m.message.deadLetter() : m.message.ack();
      for (const r of await Promise.allSettled(batch.map(settle))) {
        if (r.status === 'rejected') {
          this.noteError(r.reason);
        }
      }
      this.held -= batch.length;
      this.stats.inFlight = this.held;
      while (this.held < this.config.maxInFlight && this.waiters.length) {
        this.waiters.shift()!();
      }
    }
  }

  /** Writes until it works or the source closes (false: nothing committed, nothing to ack). */
  private async writeWithRetry(batch: PendingMessage[]): Promise<boolean> {
    const backoff = new Backoff(100, 5000);
    for (;;) {
      const started = performance.now();
      try {
        const outcome = await writeBatch(this.target, batch);
        this.stats.storedRows += outcome.rows;
        this.stats.storedMessages += outcome.messages;
        this.stats.duplicates += outcome.duplicates;
        this.stats.deadLettered += outcome.deadLettered;
        if (this.stats.state === 'waiting_for_database' || this.stats.state === 'starting') {
          this.stats.state = 'running';
        }
        this.events.written({ ...outcome, seconds: (performance.now() - started) / 1000 });
        return true;
      } catch (err) {
        this.stats.retries++;
        this.stats.state = 'waiting_for_database';
        this.noteError(err);
        this.events.retried(err);
        this.log.warn({ err, source: this.config.name }, 'ingest write failed; retrying');
        for (const m of batch) {
          if (m.failure?.error.startsWith('the database refused')) {
            m.failure = null;
          }
        }
        await sleep(backoff.next(), this.abort.signal);
        if (this.abort.signal.aborted) {
          return false;
        }
      }
    }
  }

  private noteError(err: unknown): void {
    this.stats.lastError = { message: err instanceof Error ? err.message : String(err), at: new Date().toISOString() };
  }
}

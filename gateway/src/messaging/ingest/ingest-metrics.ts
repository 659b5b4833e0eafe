import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PipelineEvents } from './ingest-pipeline';
import type { SourceStats } from './source-stats';

/**
 * Per-source ingest metrics in the app's registry. Counters move with each written batch;
 * in-flight, backlog and the last error's time are read from the sources when scraped.
 */
export function ingestMetrics(registry: Registry, sources: () => SourceStats[]): (source: string) => PipelineEvents {
  const labelNames = ['source'] as const;
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers: [registry] });
  const received = counter('gateway_ingest_received_total', 'Messages received from the broker, redeliveries included');
  const stored = counter('gateway_ingest_stored_rows_total', 'Rows committed by ingest');
  const messages = counter('gateway_ingest_stored_messages_total', 'Messages whose rows were committed');
  const duplicates = counter(
    'gateway_ingest_duplicates_total',
    'Redelivered messages skipped because their id was already stored'
  );
  const deadLettered = counter('gateway_ingest_dead_lettered_total', 'Messages written to the dead-letter table');
  const retries = counter('gateway_ingest_retries_total', 'Database writes retried after a transient error');
  const writeSeconds = new Histogram({
    name: 'gateway_ingest_write_duration_seconds',
    help: 'Time to commit one ingest batch',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: (s: SourceStats) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of sources()) {
          const v = read(s);
          if (v !== null) {
            this.set({ source: s.name }, v);
          }
        }
      },
    });
  gauge('gateway_ingest_in_flight', 'Messages received and not yet acknowledged', (s) => s.inFlight);
  gauge(
    'gateway_ingest_backlog',
    'Messages waiting in the broker for this source, where the broker reports it',
    (s) => s.backlog
  );
  gauge('gateway_ingest_last_error_timestamp_seconds', 'When the source last saw an error', (s) =>
    s.lastError ? Date.parse(s.lastError.at) / 1000 : null
  );
  gauge('gateway_ingest_up', '1 while the source is running and its database writes succeed', (s) =>
    s.state === 'running' ? 1 : 0
  );

  return (source) => ({
    received() {
      received.inc({ source });
    },
    written(o) {
      stored.inc({ source }, o.rows);
      messages.inc({ source }, o.messages);
      duplicates.inc({ source }, o.duplicates);
      deadLettered.inc({ source }, o.deadLettered);
      writeSeconds.observe({ source }, o.seconds);
    },
    retried() {
      retries.inc({ source });
    },
  });
}

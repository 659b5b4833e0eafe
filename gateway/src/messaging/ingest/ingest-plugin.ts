import type { FastifyInstance } from 'fastify';
import type { IngestSourceConfig } from './ingest-config';
import { ingestMetrics } from './ingest-metrics';
import { IngestSource } from './ingest-source';
import type { SourceStats } from './source-stats';
import type { PipelineEvents } from './ingest-pipeline';
import { announceTableChange } from '../../live/change-hints';

/** What the app holds of ingest (decorated as `app.ingest`). */
export interface IngestService {
  status(): SourceStats[];
}

/** Committed rows wake the live queries of their table (live/change-hints.ts). */
function withChangeHints(events: PipelineEvents, announce: () => void): PipelineEvents {
  return {
    ...events,
    written: (outcome) => {
      events.written(outcome);
      if (outcome.rows > 0) {
        announce();
      }
    },
  };
}

function announceIngestChange(app: FastifyInstance, tableName: string): void {
  try {
    announceTableChange(app.notifications, app.catalog.resolveTable(tableName));
  } catch {
    // The source checked its table at start; a table dropped since has no live queries either.
  }
}

/**
 * Ingest on this app: one IngestSource per configured source, started when the app is
 * ready (so tables created before listening count) and closed with the app. A source that
 * cannot start (unknown table or column, broker unreachable) fails the start.
 */
export function installIngest(app: FastifyInstance, configs: IngestSourceConfig[], instance: string): IngestService {
  const sources: IngestSource[] = [];
  const events = ingestMetrics(app.metrics, () => sources.map((s) => s.stats));
  for (const config of configs) {
    sources.push(
      new IngestSource(config, {
        db: app.db,
        catalog: app.catalog,
        copyThreshold: app.config.copyThresholdRows,
        instance,
        log: app.log,
        events: withChangeHints(events(config.name), () => announceIngestChange(app, config.table)),
      })
    );
  }
  if (sources.length) {
    app.addHook('onReady', async () => {
      for (const s of sources) {
        await s.start();
      }
    });
    // preClose runs before every onClose hook: the sources stop while the database is still open.
    app.addHook('preClose', async () => {
      await Promise.all(sources.map((s) => s.close()));
    });
  }
  return { status: () => sources.map((s) => ({ ...s.stats })) };
}

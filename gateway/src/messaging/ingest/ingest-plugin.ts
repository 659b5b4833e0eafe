import type { FastifyInstance } from 'fastify';
import type { IngestSourceConfig } from './ingest-config';
import { ingestMetrics } from './ingest-metrics';
import { IngestSource } from './ingest-source';
import type { SourceStats } from './source-stats';

/** What the app holds of ingest (decorated as `app.ingest`). */
export interface IngestService {
  status(): SourceStats[];
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
        events: events(config.name),
      })
    );
  }
  if (sources.length) {
    app.addHook('onReady', async () => {
      for (const s of sources) await s.start();
    });
    // preClose runs before every onClose hook: the sources stop while the database is still open.
    app.addHook('preClose', async () => {
      await Promise.all(sources.map((s) => s.close()));
    });
  }
  return { status: () => sources.map((s) => ({ ...s.stats })) };
}

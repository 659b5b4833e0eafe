import type { FastifyBaseLogger } from 'fastify';
import type { IngestSourceConfig } from '../ingest/ingest-config';

/** What every broker consumer adapter is built from. */
export interface ConsumerOptions {
  config: IngestSourceConfig;
  /** This gateway's name (MESSAGING_INSTANCE), for per-gateway consumer names. */
  instance: string;
  log: FastifyBaseLogger;
}

/** A consumer name unique per gateway and source, and the same after a restart. */
export function consumerName(options: ConsumerOptions): string {
  return `${options.config.clientId ?? `tsgw-${options.config.name}`}-${options.instance}`.replace(
    /[^A-Za-z0-9_.-]/g,
    '_'
  );
}

import type { Db } from './db/types';
import type { GatewayConfig } from './config';
import type { Capabilities } from './capabilities';
import type { Catalog } from './catalog/catalog';
import type { Principal } from './auth/principal';
import type { Registry } from 'prom-client';
import type { ChangeNotifications } from './db/notifications';
import type { Relay } from './messaging/relay/relay';
import type { IngestService } from './messaging/ingest/ingest-plugin';
import type { LiveHub } from './live/live-hub';

// What buildApp decorates onto the instance and the request, visible to every route file.
declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: GatewayConfig;
    capabilities: Capabilities;
    catalog: Catalog;
    /** The generated demo token (demo mode without configured tokens), else null. */
    demoToken: string | null;
    /** This app's prom-client registry (served at /metrics). */
    metrics: Registry;
    /** The one LISTEN connection (and in-process change events), shared by whoever waits for changes. */
    notifications: ChangeNotifications;
    /** Table changes → brokers (MESSAGING_CONFIG `relay:`), null when not configured. */
    relay: Relay | null;
    /** Ingest from message brokers (MESSAGING_CONFIG `ingest:`). */
    ingest: IngestService;
    /** Live streams (POST /api/v1/stream) and the shared live queries behind them. */
    live: LiveHub;
  }
  interface FastifyRequest {
    /** Set by the auth hook on every non-public route. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** No bearer token needed. */
    public?: boolean;
  }
}

export {};

import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import './fastify-augment';
import type { GatewayConfig } from './config';
import { ConfigError } from './config-error';
import { openDb } from './open-db';
import { ChangeNotifications } from './db/notifications';
import { detectCapabilities } from './capabilities';
import { Catalog } from './catalog/catalog';
import { installAuth, loadOrCreateDemoToken, hashToken, type TokenEntry } from './auth';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandler } from './plugins/error-handler';
import { installMetrics } from './plugins/metrics';
import { installServedByHeaders } from './plugins/served-by-headers';
import { installDrain } from './plugins/drain';
import { validatorCompiler } from './http/validator-compiler';
import { loggerOptions } from './plugins/logger-options';
import { seedDemoData } from './demo/seed-demo-data';
import { createSqlModeSession } from './query/sql-mode-session';
import { routes } from './routes';
import { applyConnectionCap, serverOptions } from './server-options';
import { installLoadShedding } from './plugins/load-shedding';
import { installRateLimit } from './plugins/rate-limit';
import { Relay } from './messaging/relay/relay';
import { installIngest } from './messaging/ingest/ingest-plugin';
import { GATEWAY_VERSION } from './version';
import { LiveHub } from './live/live-hub';

/**
 * The gateway as a Fastify instance, ready to listen: database opened, capabilities
 * detected, demo data seeded if asked, catalog loaded, routes registered. No module
 * state: several apps can run side by side. Closing the app closes its database.
 */
export async function buildApp(config: GatewayConfig): Promise<FastifyInstance> {
  let demoToken: string | null = null;
  let tokens: TokenEntry[] = config.tokens;
  if (tokens.length === 0) {
    if (!config.demo) {
      throw new ConfigError(
        'No access token configured and not in demo mode: refusing to start without authentication.'
      );
    }
    demoToken = loadOrCreateDemoToken(config.dataDir);
    tokens = [{ name: 'demo', sha256: hashToken(demoToken), scopes: ['read', 'sql', 'write', 'admin'] }];
  }

  const app = Fastify({
    logger: loggerOptions(config),
    bodyLimit: config.bodyLimit,
    ...serverOptions(config),
    clientErrorHandler: clientErrorHandler(
      config.requestTimeoutMs,
      serverOptions(config).http.headersTimeout ?? config.connections.headersTimeoutMs
    ),
    frameworkErrors: frameworkErrorHandler,
    // The drain answers in the gateway's own shape while it waits (plugins/drain.ts).
    return503OnClosing: false,
    // Filters arrive as arbitrary query keys; keep the default parser but allow long URLs.
    routerOptions: { maxParamLength: 500 },
  });
  app.setValidatorCompiler(validatorCompiler);
  applyConnectionCap(app.server, config);

  const db = await openDb(config, (err) => app.log.warn({ err }, 'database connection error'), app.log);
  try {
    const capabilities = await detectCapabilities(db);
    if (config.seed) {
      const seeded = await seedDemoData(db, capabilities);
      if (seeded.created.length) {
        app.log.info({ tables: seeded.created }, 'demo data created');
      }
    }
    // The catalog may be read on a replica: what it lacks is re-read on a miss (resolveTableFresh).
    const catalog = new Catalog(
      { query: (sql, params) => db.query(sql, params, { staleOk: true }) },
      capabilities.timescaledb !== null
    );
    await catalog.refresh();

    app.decorate('config', config);
    app.decorate('db', db);
    app.decorate('capabilities', capabilities);
    app.decorate('catalog', catalog);
    app.decorate('demoToken', demoToken);
    app.decorate('metrics', installMetrics(app));
    app.addHook('onClose', async () => db.close());
    const notifications = new ChangeNotifications(db, app.log);
    app.decorate('notifications', notifications);
    app.addHook('onClose', async () => notifications.close());
    const live = new LiveHub(app);
    app.decorate('live', live);
    // Before the server closes: open streams would otherwise hold it (and the drain) to the end.
    app.addHook('preClose', async () => live.close());
    // SQL mode's reader login has its own small pool (PostgreSQL), opened on first use.
    const sqlMode = createSqlModeSession(config, db, (err) =>
      app.log.warn({ err }, 'SQL-mode reader connection error')
    );
    app.decorate('sqlMode', sqlMode);
    app.addHook('onClose', async () => sqlMode.close());

    app.decorate('ingest', installIngest(app, config.messaging?.ingest ?? [], config.messagingInstance));

    installErrorHandler(app, config.bodyLimit);
    installDrain(app);
    if (config.corsOrigins.length) {
      await app.register(cors, {
        origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
        allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
        methods: ['GET', 'POST', 'OPTIONS'],
      });
    }
    installAuth(app, tokens);
    installServedByHeaders(app);
    await installLoadShedding(app, config.pressure);
    await installRateLimit(app, config.rateLimit);
    await app.register(swagger, {
      openapi: {
        info: { title: 'TimescaleDB gateway', version: GATEWAY_VERSION },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
    });
    const relay = config.messaging?.relay ? new Relay(app, config.messaging.relay) : null;
    app.decorate('relay', relay);
    for (const route of routes) {
      await app.register(route);
    }
    // The relay starts last: it needs the catalog and the LISTEN connection.
    if (relay) {
      app.addHook('onClose', async () => relay.close());
      await relay.start();
    }
    return app;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

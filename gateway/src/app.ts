import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import './fastify-augment';
import type { GatewayConfig } from './config';
import { ConfigError } from './config-error';
import { openDb } from './db/open-db';
import { detectCapabilities } from './capabilities';
import { Catalog } from './catalog/catalog';
import { installAuth, loadOrCreateDemoToken, hashToken, type TokenEntry } from './auth';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandler } from './plugins/error-handler';
import { installMetrics } from './plugins/metrics';
import { loggerOptions } from './plugins/logger-options';
import { seedDemoData } from './demo/seed-demo-data';
import { createSqlModeSession } from './query/sql-mode-session';
import { routes } from './routes';
import { GATEWAY_VERSION } from './version';

/**
 * The gateway as a Fastify instance, ready to listen: database opened, capabilities
 * detected, demo data seeded if asked, catalog loaded, routes registered. No module
 * state: several apps can run side by side. Closing the app closes its database.
 */
export async function buildApp(config: GatewayConfig): Promise<FastifyInstance> {
  let demoToken: string | null = null;
  let tokens: TokenEntry[] = config.tokens;
  if (tokens.length === 0) {
    if (!config.demo) throw new ConfigError('No access token configured and not in demo mode: refusing to start without authentication.');
    demoToken = loadOrCreateDemoToken(config.dataDir);
    tokens = [{ name: 'demo', sha256: hashToken(demoToken), scopes: ['read', 'sql', 'write', 'admin'] }];
  }

  const app = Fastify({
    logger: loggerOptions(config),
    bodyLimit: config.bodyLimit,
    // A request (headers and body) must arrive within this time: a stalled upload would
    // otherwise hold its database connection and transaction until the client leaves. Node
    // takes the limit only when the server is created (set later, it is ignored), and looks
    // for overdue requests every 30 s by default: often enough to keep the limit instead.
    requestTimeout: config.requestTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      ...(config.requestTimeoutMs > 0 ? { connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(config.requestTimeoutMs / 10))) } : {}),
    },
    clientErrorHandler: clientErrorHandler(config.requestTimeoutMs),
    frameworkErrors: frameworkErrorHandler,
    // Filters arrive as arbitrary query keys; keep the default parser but allow long URLs.
    routerOptions: { maxParamLength: 500 },
  });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  const db = await openDb(config, (err) => app.log.warn({ err }, 'database connection error'), app.log);
  try {
    const capabilities = await detectCapabilities(db);
    if (config.seed) {
      const seeded = await seedDemoData(db, capabilities);
      if (seeded.created.length) app.log.info({ tables: seeded.created }, 'demo data created');
    }
    const catalog = new Catalog(db, capabilities.timescaledb !== null);
    await catalog.refresh();

    app.decorate('config', config);
    app.decorate('db', db);
    app.decorate('capabilities', capabilities);
    app.decorate('catalog', catalog);
    app.decorate('demoToken', demoToken);
    app.decorate('metrics', installMetrics(app));
    app.addHook('onClose', async () => db.close());
    // SQL mode's reader login has its own small pool (PostgreSQL), opened on first use.
    const sqlMode = createSqlModeSession(config, db, (err) => app.log.warn({ err }, 'SQL-mode reader connection error'));
    app.decorate('sqlMode', sqlMode);
    app.addHook('onClose', async () => sqlMode.close());

    installErrorHandler(app, config.bodyLimit);
    if (config.corsOrigins.length) {
      await app.register(cors, {
        origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
        allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
        methods: ['GET', 'POST', 'OPTIONS'],
      });
    }
    installAuth(app, tokens);
    await app.register(swagger, {
      openapi: {
        info: { title: 'TimescaleDB gateway', version: GATEWAY_VERSION },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
    });
    for (const route of routes) await app.register(route);
    return app;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

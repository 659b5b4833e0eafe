import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/db/types';
import { createScratchDatabase, dropScratchDatabase, probePostgres, TEST_DATABASE_URL } from './postgres-server';

/** Secrets of the tokens every test app accepts. */
export const TOKENS = {
  admin: 'admin-secret-0001',
  reader: 'reader-secret-0001',
  writer: 'writer-secret-0001',
  sql: 'sql-secret-00001',
  /** read + write, but only the tables `metrics` and `other.things`. */
  limited: 'limited-secret-01',
} as const;

export const TOKEN_SPEC = [
  `admin:${TOKENS.admin}:admin`,
  `reader:${TOKENS.reader}:read`,
  `writer:${TOKENS.writer}:write`,
  `sqlonly:${TOKENS.sql}:sql`,
  `limited:${TOKENS.limited}:read,write:metrics,other.things`,
].join(';');

/**
 * Suites run many apps in one process on a shared machine, where the event loop can lag a
 * second behind for reasons of its own: load shedding would refuse their requests at random.
 * It is tested on its own apps (http-protection.test.ts).
 */
export const NO_SHEDDING = { PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' } as const;

export type Driver = 'embedded' | 'postgres';

export interface TestContext {
  baseUrl: string;
  app: FastifyInstance;
  db: Db;
  driver: Driver;
  tokens: typeof TOKENS;
  /** The admin token, for the common case. */
  token: string;
  timescale: boolean;
}

export interface SuiteOptions {
  /** Extra configuration (env names), e.g. { BODY_LIMIT: '2000' }. */
  env?: Record<string, string>;
  /** SQL fixture run before the catalog is read (each entry one statement). */
  setup?: (db: Db, info: { driver: Driver; timescale: boolean }) => Promise<void>;
}

/**
 * Runs one suite body twice: against the embedded TimescaleDB (in memory) and against
 * the real PostgreSQL server (a database created for the run, dropped after). Each gets
 * its own app listening on an ephemeral port. PostgreSQL unreachable → those tests are
 * skipped with a message, or fail when CI=true.
 */
export function forEachDatabase(body: (getCtx: () => TestContext) => void, options: SuiteOptions = {}): void {
  for (const driver of ['embedded', 'postgres'] as const) {
    describe(`on ${driver === 'embedded' ? 'embedded TimescaleDB' : 'PostgreSQL'}`, async () => {
      if (driver === 'postgres') {
        const probe = await probePostgres();
        if (!probe.ok) {
          const message = `PostgreSQL at ${TEST_DATABASE_URL} is unreachable (${probe.error})`;
          if (process.env.CI === 'true') {
            it('needs PostgreSQL (CI=true)', () => {
              throw new Error(message);
            });
          } else {
            it(`skipped: ${message}; set TEST_DATABASE_URL`, { skip: message }, () => undefined);
          }
          return;
        }
      }

      let ctx: TestContext | undefined;
      let scratch: { name: string; url: string } | undefined;
      before(async () => {
        const env: Record<string, string> = {
          GATEWAY_TOKENS: TOKEN_SPEC,
          LOG_LEVEL: 'silent',
          PORT: '0',
          DATA_DIR: 'memory://',
          ...NO_SHEDDING,
          ...options.env,
        };
        if (driver === 'postgres') {
          scratch = await createScratchDatabase();
          env.DATABASE_URL = scratch.url;
        }
        const app = await buildApp(loadConfig(env));
        if (options.setup) {
          await options.setup(app.db, { driver, timescale: app.capabilities.timescaledb !== null });
          await app.catalog.refresh();
        }
        await app.listen({ port: 0, host: '127.0.0.1' });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        ctx = {
          baseUrl: `http://127.0.0.1:${port}`,
          app,
          db: app.db,
          driver,
          tokens: TOKENS,
          token: TOKENS.admin,
          timescale: app.capabilities.timescaledb !== null,
        };
      });
      after(async () => {
        await ctx?.app.close();
        if (scratch) {
          await dropScratchDatabase(scratch.name);
        }
      });

      body(() => {
        if (!ctx) {
          throw new Error('The test context is not ready (before() failed?)');
        }
        return ctx;
      });
    });
  }
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { SourceStats } from '../../src/messaging/ingest/source-stats';
import { TOKEN_SPEC } from './test-context';
import { dropScratchDatabase } from './postgres-server';
import type { Publisher } from './broker-publishers';

/** A name no other test run uses: brokers are shared. */
export const uniqueName = (prefix: string): string => `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;

/** The table every ingest test writes: one row per message unless the test says otherwise. */
export const READINGS_DDL = (name: string) =>
  `CREATE TABLE ${name} (id bigint NOT NULL, time timestamptz NOT NULL, sensor text NOT NULL, value double precision)`;

/** Writes a messaging config file into a temp dir and returns its path. */
export function writeMessagingConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsgw-ingest-'));
  const path = join(dir, 'messaging.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** An in-process gateway with MESSAGING_CONFIG, listening (which starts ingest). */
export async function startIngestApp(
  env: Record<string, string>,
  setup?: (app: FastifyInstance) => Promise<void>
): Promise<FastifyInstance> {
  const app = await buildApp(
    loadConfig({ GATEWAY_TOKENS: TOKEN_SPEC, LOG_LEVEL: 'silent', PORT: '0', DATA_DIR: 'memory://', ...env })
  );
  try {
    if (setup) {
      await setup(app);
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Polls `read` until `done` holds or the time is up; returns the last value. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  intervalMs = 200
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, intervalMs));
    v = await read();
  }
  return v;
}

/** Waits until the source has nothing in flight and its counters stop moving. */
export async function waitForQuiet(
  app: FastifyInstance,
  source: string,
  expectedMessages: number,
  timeoutMs: number
): Promise<SourceStats> {
  const stats = () => Promise.resolve(app.ingest.status().find((s) => s.name === source)!);
  return waitFor(
    stats,
    (s) => s.storedMessages + s.duplicates + s.deadLettered >= expectedMessages && s.inFlight === 0,
    timeoutMs
  );
}

/** Closes an ingest test's gateway, its publishers and its scratch database, whichever exist. */
export async function closeIngestFixture(
  app: FastifyInstance | undefined,
  publishers: Publisher[],
  scratch: { name: string } | undefined
): Promise<void> {
  await app?.close();
  for (const p of publishers) {
    await p.close();
  }
  if (scratch) {
    await dropScratchDatabase(scratch.name);
  }
}

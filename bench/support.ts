/**
 * What every benchmark shares: the PostgreSQL server to measure on, a scratch database per
 * run, the gateway started as its own process (the one helper the tests, the plugin and the
 * browser harness use too), and the statistics the results are given in.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess, type GatewayProcess } from 'timescaledb-gateway/testing';

export const SERVER_URL =
  process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** BENCH_GATEWAY_ENTRY measures another build of the gateway (e.g. an older commit unpacked elsewhere) for a before/after. */
const GATEWAY_ENTRY =
  process.env.BENCH_GATEWAY_ENTRY || fileURLToPath(new URL('../gateway/src/main.ts', import.meta.url));

/** The value below which a share `p` (0..1) of the samples lies (nearest rank, rounded down). */
export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];
export const median = (xs: number[]) => percentile(xs, 0.5);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `write(n)` for n = 0 … count − 1, paced to `perSecond` (each write starts on its
 * schedule, or at once when the one before ran late), and returns when each one returned, on
 * `clock` (the live benchmarks compare it with arrival times read on the same clock).
 */
export async function pacedWrites(
  count: number,
  perSecond: number,
  write: (n: number) => Promise<void>,
  clock: () => number = () => performance.now()
): Promise<number[]> {
  const done: number[] = [];
  const started = performance.now();
  for (let n = 0; n < count; n++) {
    await sleep(Math.max(0, started + (n * 1000) / perSecond - performance.now()));
    await write(n);
    done.push(clock());
  }
  return done;
}

/** One statement on the server's own database (creating and dropping scratch databases). */
async function onServer<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface ScratchDatabase {
  url: string;
  /** Drops it, closing whatever sessions are still in it. */
  drop(): Promise<void>;
}

/** A database of its own for one benchmark, on the same server: `<prefix>_<pid>_<random>`. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await onServer((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** The gateway CLI as its own process, as deployed, on a free port; `env` as for `main.ts`. */
export function startGateway(env: Record<string, string>): Promise<GatewayProcess> {
  return startGatewayProcess({ entry: GATEWAY_ENTRY, env });
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The gateway's sources as they were just before `path` was deleted, unpacked under
 * gateway/.bench/ (ignored by git), so dependencies resolve as for the current sources: for
 * measuring a path that was removed against the one that replaced it, in the same run.
 * Returns its entry for startGatewayAt, or null when the history does not hold the deletion.
 */
export function gatewayBeforeDeletionOf(path: string): string | null {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  let deleting: string;
  try {
    deleting = git('log', '-1', '--format=%H', '--diff-filter=D', '--', path);
  } catch {
    return null;
  }
  if (!deleting) {
    return null;
  }
  const dir = `${REPO_ROOT}gateway/.bench/${deleting.slice(0, 12)}`;
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${deleting}^ gateway/src | tar -x --strip-components=1 -C "${dir}"`], {
    cwd: REPO_ROOT,
  });
  return `${dir}/src/main.ts`;
}

/** The gateway of another entry (see gatewayBeforeDeletionOf) as its own process. */
export function startGatewayAt(entry: string, env: Record<string, string>): Promise<GatewayProcess> {
  return startGatewayProcess({ entry, env });
}

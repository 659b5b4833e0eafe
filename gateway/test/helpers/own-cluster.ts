import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster of the test's own (`initdb` + `pg_ctl` into a temp dir, on a
 * port of its own), for tests that stop, restart or kill the database: the shared server on
 * 5432 is never touched. Run as the `postgres` OS user when the tests run as root (PostgreSQL
 * refuses to run as root). `destroy()` stops it (immediate) and removes the directory; it is
 * also registered on process exit, so a failing test leaves no server behind.
 */

const run = promisify(execFile);
const BIN = process.env.PG_BIN_DIR || '/usr/lib/postgresql/15/bin';
const OS_USER = 'postgres';

export type StopMode = 'smart' | 'fast' | 'immediate';

export interface OwnCluster {
  port: number;
  dir: string;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, or another database on it. */
  url(database?: string): string;
  start(): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  restart(mode?: StopMode): Promise<void>;
  /** One statement on a fresh connection (not pooled). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    database?: string
  ): Promise<R[]>;
  destroy(): Promise<void>;
}

export interface OwnClusterOptions {
  port: number;
  /** Extra postgresql.conf lines. */
  conf?: string[];
}

const asRoot = userInfo().uid === 0;

/** A command as the cluster's OS user. */
function pgCommand(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const file = join(BIN, bin);
  return asRoot ? run('runuser', ['-u', OS_USER, '--', file, ...args]) : run(file, args);
}

export async function createOwnCluster(options: OwnClusterOptions): Promise<OwnCluster> {
  const { port } = options;
  const dir = mkdtempSync(join(tmpdir(), `tsgw-cluster-${port}-`));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', OS_USER]);
    const { stdout: gid } = await run('id', ['-g', OS_USER]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);

  const ctl = (args: string[]) => pgCommand('pg_ctl', ['-D', data, ...args]);
  let running = false;
  let destroyed = false;
  // Last resort on a crash of the test process: never leave a server running.
  const onExit = () => {
    if (running) {
      try {
        const args = ['-D', data, '-m', 'immediate', 'stop'];
        if (asRoot) execFileSync('runuser', ['-u', OS_USER, '--', join(BIN, 'pg_ctl'), ...args]);
        else execFileSync(join(BIN, 'pg_ctl'), args);
      } catch {
        /* already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  await pgCommand('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-instructions',
    '--no-sync',
  ]);
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      'fsync = on',
      'max_connections = 60',
      'shared_buffers = 32MB',
      ...(options.conf ?? []),
    ].join('\n') + '\n'
  );
  if (asRoot) await run('chown', [`${OS_USER}:`, join(data, 'postgresql.auto.conf')]);

  const cluster: OwnCluster = {
    port,
    dir,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await ctl(['-l', log, '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      await ctl(['-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    async restart(mode = 'fast') {
      await ctl(['-m', mode, '-l', log, '-w', '-t', '60', 'restart']);
      running = true;
    },
    async query(sql, params, database) {
      const client = new pg.Client({ connectionString: cluster.url(database), connectionTimeoutMillis: 5000 });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running) await cluster.stop('immediate').catch(() => undefined);
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
  return cluster;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

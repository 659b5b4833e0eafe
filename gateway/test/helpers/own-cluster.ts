import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** A temp dir the cluster's OS user owns. */
async function clusterDir(port: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `tsgw-cluster-${port}-`));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', OS_USER]);
    const { stdout: gid } = await run('id', ['-g', OS_USER]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  chmodSync(dir, 0o700);
  return dir;
}

/** The settings that make a data directory this cluster's own: its port, address and socket dir. */
function ownSettings(port: number, dir: string, conf: string[] = []): string {
  return (
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      'fsync = on',
      'max_connections = 60',
      'shared_buffers = 32MB',
      ...conf,
    ].join('\n') + '\n'
  );
}

export async function createOwnCluster(options: OwnClusterOptions): Promise<OwnCluster> {
  const { port } = options;
  const dir = await clusterDir(port);
  const data = join(dir, 'data');

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
  writeFileSync(join(data, 'postgresql.auto.conf'), ownSettings(port, dir, options.conf));
  if (asRoot) {
    await run('chown', [`${OS_USER}:`, join(data, 'postgresql.auto.conf')]);
  }

  return manageCluster(port, dir, data, () => rmSync(dir, { recursive: true, force: true }));
}

export interface StandbyOptions {
  port: number;
  /** The replication slot the standby streams from (created by pg_basebackup -C). */
  slot: string;
  /** Extra postgresql.conf lines. */
  conf?: string[];
}

/**
 * A streaming standby of `primary`: `pg_basebackup -R -X stream -C -S <slot>` into a dir of its
 * own, then started on its own port. The copy carries the primary's settings; the standby's own
 * (port, socket dir) are appended after them, so they win. `destroy()` stops it and drops the slot.
 */
export async function createStandby(primary: OwnCluster, options: StandbyOptions): Promise<OwnCluster> {
  const { port } = options;
  const dir = await clusterDir(port);
  const data = join(dir, 'data');
  await pgCommand('pg_basebackup', [
    '-D',
    data,
    '-R',
    '-X',
    'stream',
    '-C',
    '-S',
    options.slot,
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'postgres',
    '--no-sync',
    '--checkpoint=fast',
  ]);
  appendFileSync(join(data, 'postgresql.auto.conf'), ownSettings(port, dir, options.conf));
  return manageCluster(port, dir, data, () => {
    rmSync(dir, { recursive: true, force: true });
    void primary
      .query(
        `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active`,
        [options.slot]
      )
      .catch(() => undefined);
  });
}

/** Start / stop / query / destroy for a data directory made by one of the above. */
async function manageCluster(port: number, dir: string, data: string, removeFiles: () => void): Promise<OwnCluster> {
  const log = join(dir, 'server.log');
  const ctl = (args: string[]) => pgCommand('pg_ctl', ['-D', data, ...args]);
  let running = false;
  let destroyed = false;
  // Last resort on a crash of the test process: never leave a server running.
  const onExit = () => {
    if (running) {
      try {
        const args = ['-D', data, '-m', 'immediate', 'stop'];
        if (asRoot) {
          execFileSync('runuser', ['-u', OS_USER, '--', join(BIN, 'pg_ctl'), ...args]);
        } else {
          execFileSync(join(BIN, 'pg_ctl'), args);
        }
      } catch {
        /* already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

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
      if (destroyed) {
        return;
      }
      destroyed = true;
      if (running) {
        await cluster.stop('immediate').catch(() => undefined);
      }
      process.off('exit', onExit);
      removeFiles();
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

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Environment variables through which the global setup hands the live gateway to the test files. */
export const LIVE_ENV = {
  url: 'TSGW_LIVE_GATEWAY_URL',
  token: 'TSGW_LIVE_TOKEN',
  readOnlyToken: 'TSGW_LIVE_READ_TOKEN',
} as const;

export interface LiveGateway {
  url: string;
  /** Scopes read and sql, as the provisioned Grafana data source has. */
  token: string;
  /** Scope read only: SQL mode must be refused. */
  readOnlyToken: string;
  process: ChildProcess;
}

const READY_LINE = /TimescaleDB gateway listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 90_000;

/** Starts the gateway CLI on the embedded TimescaleDB with demo data and waits until it listens. */
export const startGateway = (): Promise<LiveGateway> => {
  const token = randomBytes(24).toString('hex');
  const readOnlyToken = randomBytes(24).toString('hex');
  const root = path.resolve(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: 'memory://',
      GATEWAY_SEED: 'true',
      LOG_LEVEL: 'warn',
      GATEWAY_TOKENS: `grafana:${token}:read,sql;viewer:${readOnlyToken}:read`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`the gateway did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- gateway output ---\n${output.slice(-4000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY_LINE.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve({ url: match[1], token, readOnlyToken, process: child });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`the gateway exited with code ${code}`)));
  });
};

export const stopGateway = async (gateway: LiveGateway | undefined): Promise<void> => {
  const child = gateway?.process;
  if (!child || child.exitCode !== null) {
    return;
  }
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
};

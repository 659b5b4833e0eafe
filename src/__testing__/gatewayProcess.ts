import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startGatewayProcess, type GatewayProcess } from 'timescaledb-gateway/testing';

/** Environment variables through which the global setup hands the live gateway to the test files. */
export const LIVE_ENV = {
  url: 'TSGW_LIVE_GATEWAY_URL',
  token: 'TSGW_LIVE_TOKEN',
  readOnlyToken: 'TSGW_LIVE_READ_TOKEN',
  writeToken: 'TSGW_LIVE_WRITE_TOKEN',
} as const;

export interface LiveGateway {
  url: string;
  /** Scopes read and sql, as the provisioned Grafana data source has. */
  token: string;
  /** Scope read only: SQL mode must be refused. */
  readOnlyToken: string;
  /** Scopes read and write: "Save & test" must warn. */
  writeToken: string;
  process: GatewayProcess;
}

/** Starts the gateway CLI on the embedded TimescaleDB with demo data and waits until it listens. */
export const startGateway = async (): Promise<LiveGateway> => {
  const token = randomBytes(24).toString('hex');
  const readOnlyToken = randomBytes(24).toString('hex');
  const writeToken = randomBytes(24).toString('hex');
  const root = path.resolve(__dirname, '..', '..');
  const gateway = await startGatewayProcess({
    entry: path.join(root, 'gateway', 'src', 'main.ts'),
    cwd: root,
    env: {
      DATA_DIR: 'memory://',
      GATEWAY_SEED: 'true',
      LOG_LEVEL: 'warn',
      GATEWAY_TOKENS: `grafana:${token}:read,sql;viewer:${readOnlyToken}:read;writer:${writeToken}:read,write`,
    },
    // The embedded database starts slowly on a loaded machine.
    timeoutMs: 240_000,
  });
  return { url: gateway.url, token, readOnlyToken, writeToken, process: gateway };
};

export const stopGateway = async (gateway: LiveGateway | undefined): Promise<void> => {
  await gateway?.process.stop();
};

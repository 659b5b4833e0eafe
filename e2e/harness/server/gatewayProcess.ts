/**
 * Starts the real gateway as a child process on the embedded TimescaleDB with demo data,
 * on a free port, and waits for its "listening" line.
 */
import { join } from 'node:path';
import {
  formatGatewayTokens,
  startGatewayProcess,
  type GatewayProcess,
  type GatewayToken,
} from 'timescaledb-gateway/testing';

export type { GatewayProcess, GatewayToken };

export const startGateway = (repoRoot: string, tokens: GatewayToken[], timeoutMs = 240_000): Promise<GatewayProcess> =>
  startGatewayProcess({
    entry: join(repoRoot, 'gateway', 'src', 'main.ts'),
    cwd: repoRoot,
    env: {
      DATA_DIR: 'memory://',
      DATABASE_URL: '',
      GATEWAY_SEED: 'true',
      GATEWAY_TOKENS: formatGatewayTokens(tokens),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    timeoutMs,
  });

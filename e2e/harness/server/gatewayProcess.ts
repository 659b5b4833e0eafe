/**
 * Starts the real gateway as a child process on the embedded TimescaleDB with demo data,
 * on a free port, and waits for its "listening" line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface GatewayToken {
  name: string;
  secret: string;
  scopes: string[];
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything the gateway printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const LISTENING = /TimescaleDB gateway listening on (http:\/\/[^\s"']+)/;

/** GATEWAY_TOKENS holds `name:secret:scope,scope` entries separated by `;`. */
export const formatGatewayTokens = (tokens: GatewayToken[]): string =>
  tokens.map((t) => `${t.name}:${t.secret}:${t.scopes.join(',')}`).join(';');

export const startGateway = async (
  repoRoot: string,
  tokens: GatewayToken[],
  timeoutMs = 120_000
): Promise<GatewayProcess> => {
  const entry = join(repoRoot, 'gateway', 'src', 'main.ts');
  if (!existsSync(entry)) {
    throw new Error(`the gateway entry ${entry} does not exist`);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: 'memory://',
      DATABASE_URL: '',
      GATEWAY_SEED: 'true',
      GATEWAY_TOKENS: formatGatewayTokens(tokens),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the gateway did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        ok(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the gateway exited with code ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          return ok();
        }
        child.once('exit', () => ok());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
};

import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts the gateway CLI (`gateway/src/main.ts` under tsx) as a child process on a free port
 * and waits for its "listening" line: the one way every suite that needs a real gateway
 * process (the CLI tests, the plugin's live tests, the browser harness, the benchmarks)
 * starts one. Exported to the other workspaces as `timescaledb-gateway/testing`.
 */

export interface GatewayToken {
  name: string;
  secret: string;
  scopes: string[];
}

export interface GatewayProcessOptions {
  /** Absolute path of gateway/src/main.ts: callers know where they stand, in CJS and ESM alike. */
  entry?: string;
  /** Instead of `entry`: the command that starts a gateway, e.g. `['npx', 'timescaledb-gateway']` of an installed package. */
  command?: string[];
  /** Added to the environment; PORT defaults to 0 and HOST to 127.0.0.1. */
  env?: Record<string, string>;
  /** Command-line flags, e.g. `['--demo']`. */
  args?: string[];
  /** Start from PATH alone instead of the parent's environment (no stray DATABASE_URL…). */
  cleanEnv?: boolean;
  cwd?: string;
  timeoutMs?: number;
  /** Node's own flags before the entry, e.g. `['--cpu-prof']` (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
}

export interface GatewayProcess {
  url: string;
  /** The printed demo token, when the gateway was started in demo mode. */
  demoToken?: string;
  child: ChildProcess;
  /** Everything the gateway printed so far, for failure messages. */
  output(): string;
  /** SIGTERM (SIGKILL after 5 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

const LISTENING_LINE = /TimescaleDB gateway listening on (http:\/\/[^\s"']+)/;
const DEMO_TOKEN_LINE = /Demo token: (\S+)/;

/** `GATEWAY_TOKENS` holds `name:secret:scope,scope` entries separated by `;`. */
export const formatGatewayTokens = (tokens: GatewayToken[]): string =>
  tokens.map((t) => `${t.name}:${t.secret}:${t.scopes.join(',')}`).join(';');

export function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const { entry, command, env = {}, args = [], cleanEnv = false, cwd, timeoutMs = 120_000, nodeArgs = [] } = options;
  const base = cleanEnv ? { PATH: process.env.PATH ?? '' } : process.env;
  if (!command && !entry) {
    throw new Error('startGatewayProcess needs an entry or a command');
  }
  const [file, ...leading] = command ?? [process.execPath, ...nodeArgs, '--import', 'tsx', entry as string];
  const child = spawn(file, [...leading, ...args], {
    cwd,
    env: { ...base, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const demo = args.includes('--demo') || /^(true|1|yes|on)$/i.test(env.GATEWAY_DEMO ?? '');
  let output = '';

  const stop = (): Promise<number | null> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve(child.exitCode);
        return;
      }
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}\n--- gateway output ---\n${output.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`the gateway did not start within ${timeoutMs / 1000} s`), timeoutMs);
    const onExit = (code: number | null) => fail(`the gateway exited with code ${code} before listening`);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = LISTENING_LINE.exec(output)?.[1];
      const demoToken = DEMO_TOKEN_LINE.exec(output)?.[1];
      if (!settled && url && (!demo || demoToken)) {
        settled = true;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ url, demoToken, child, output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (err) => fail(err.message));
    child.once('exit', onExit);
  });
}

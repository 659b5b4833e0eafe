import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error';
import { parseTokenList, parseTokensFile, type TokenEntry } from './auth/tokens';
import { readMessagingConfig, type MessagingConfig } from './messaging/config-file';
import { hostname } from 'node:os';

/**
 * Gateway configuration, from environment variables; each can also be given as a
 * command-line flag (`--port 9000`, `--port=9000`, `--demo`): the flag name is the
 * variable's name in lower case with dashes, without the GATEWAY_ prefix.
 *
 * | Variable              | Default        | Meaning                                                              |
 * |-----------------------|----------------|----------------------------------------------------------------------|
 * | PORT                  | 8080           | Listen port; 0 picks a free one                                      |
 * | HOST                  | 127.0.0.1      | Listen address (0.0.0.0 to expose)                                   |
 * | DATABASE_URL          | (unset)        | postgres://… of a PostgreSQL / TimescaleDB server; unset → embedded  |
 * | DATA_DIR              | ./data         | Embedded database + demo token; `memory://` = in memory, nothing kept|
 * | GATEWAY_TOKENS        | (none)         | `name:secret:scope1,scope2[:table1,table2]`, entries separated by `;` |
 * | GATEWAY_TOKENS_FILE   | (none)         | JSON `[{"name","token"|"sha256","scopes",["tables"]}]`               |
 * | GATEWAY_DEMO          | false          | No tokens configured → random all-scope demo token; seed demo data   |
 * | GATEWAY_SEED          | false          | Seed the demo tables when absent (without a demo token)              |
 * | STATEMENT_TIMEOUT_MS  | 30000          | Per-statement limit on the database; embedded: reads only, stopped   |
 * |                       |                | by restarting its worker (memory:// then restarts empty)             |
 * | DEFAULT_ROW_LIMIT     | 1000           | Rows a data GET returns without `limit`                              |
 * | MAX_ROW_LIMIT         | 100000         | Cap on `limit`                                                       |
 * | BODY_LIMIT            | 67108864       | Largest request body, bytes                                          |
 * | REQUEST_TIMEOUT_MS    | 120000         | Longest time to receive a whole request (headers and body); a slower |
 * |                       |                | one gets 408 and is closed, its upload rolled back. 0 = no limit     |
 * | CORS_ORIGINS          | (none)         | Comma list of allowed origins, `*` for any                           |
 * | LOG_LEVEL             | info           | pino level: fatal, error, warn, info, debug, trace, silent          |
 * | METRICS_PUBLIC        | true           | /metrics without a token                                             |
 * | DB_POOL_SIZE          | 10             | pg pool size (DATABASE_URL only)                                     |
 * | DB_CONNECT_TIMEOUT_MS | 5000           | Longest wait for a pooled connection (DATABASE_URL only)             |
 * | COPY_THRESHOLD_ROWS   | 1000           | POST batches at least this large use COPY (DATABASE_URL only)        |
 * | SHUTDOWN_GRACE_MS     | 10000          | On SIGTERM / SIGINT: how long requests in flight may finish          |
 * | READER_DATABASE_URL   | (unset)        | SQL mode's own login (postgres://…): a non-superuser that can only   |
 * |                       |                | SELECT, used as is (DATABASE_URL only)                               |
 * | PRESSURE_MAX_EVENT_LOOP_DELAY_MS | 1000 | Above this event-loop delay requests get 503 at once (0 = off)   |
 * | PRESSURE_MAX_HEAP_USED_BYTES / PRESSURE_MAX_RSS_BYTES | 0 | Same for heap / RSS (0 = off)            |
 * | RATE_LIMIT_MAX        | 0              | Requests per window per token (anonymous: per IP); 0 = no limit      |
 * | RATE_LIMIT_WINDOW_MS  | 60000          | The rate-limit window                                                |
 * | HEADERS_TIMEOUT_MS    | 10000          | Longest time to receive a request's headers (slow clients → 408)     |
 * | KEEP_ALIVE_TIMEOUT_MS | 72000          | Idle keep-alive connections are closed after this                    |
 * | MAX_CONNECTIONS       | 1024           | Open connections at most; more are refused at once (0 = no cap)      |
 * | MAX_REQUESTS_PER_SOCKET | 0            | Requests per keep-alive connection before it is closed (0 = no cap)  |
 * | MESSAGING_CONFIG      | (unset)        | YAML file of ingest sources / relay (messaging/config-file.ts)      |
 * | MESSAGING_INSTANCE    | host name      | This gateway's name in consumer names (MQTT client id, Redis        |
 * |                       |                | consumer): unique per gateway, stable across its restarts           |
 * | READER_ROLE           | tsgw_reader    | Else SQL mode logs in as this role, which the gateway creates or     |
 * |                       |                | updates (needs CREATEROLE) with a fresh random password and SELECT   |
 * |                       |                | grants; embedded: entered with SET LOCAL ROLE                        |
 * | SQL_ALLOWED_FUNCTIONS | (none)         | Comma list of VOLATILE functions SQL mode may call besides its own   |
 * |                       |                | harmless ones (`name` or `schema.name`); see query/function-policy.ts |
 *
 * SQL mode without READER_DATABASE_URL on a gateway user that may not create roles answers
 * 503 sql_mode_unavailable; the other modes work. See query/sql-mode-session.ts.
 */
export interface GatewayConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  tokens: TokenEntry[];
  demo: boolean;
  seed: boolean;
  statementTimeoutMs: number;
  defaultRowLimit: number;
  maxRowLimit: number;
  bodyLimit: number;
  /** Longest time to receive one whole request, headers and body; 0 = unlimited. */
  requestTimeoutMs: number;
  corsOrigins: string[];
  logLevel: string;
  metricsPublic: boolean;
  poolSize: number;
  connectionTimeoutMs: number;
  copyThresholdRows: number;
  /** On SIGTERM / SIGINT, how long requests in flight may still finish before the process exits. */
  shutdownGraceMs: number;
  /** SQL mode's own read-only login; unset → the gateway manages `readerRole`. */
  readerDatabaseUrl?: string;
  readerRole: string;
  /** VOLATILE functions SQL mode may call besides the built-in harmless ones: `name` or `schema.name`. */
  sqlAllowedFunctions: string[];
  /** Overload shedding (@fastify/under-pressure); 0 turns a check off. */
  pressure: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; maxRssBytes: number };
  /** Per-token request rate limit; max 0 = off. */
  rateLimit: { max: number; windowMs: number };
  /** Connection-level limits against slow or greedy clients. */
  connections: { headersTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number; maxRequestsPerSocket: number };
  /** The parsed MESSAGING_CONFIG file; null without one. */
  messaging: MessagingConfig | null;
  messagingInstance: string;
}

export { ConfigError };

const FLAG_ALIASES: Record<string, string> = {
  DEMO: 'GATEWAY_DEMO',
  SEED: 'GATEWAY_SEED',
  TOKENS: 'GATEWAY_TOKENS',
  TOKENS_FILE: 'GATEWAY_TOKENS_FILE',
};

/** `--data-dir x`, `--data-dir=x`, `--demo` → { DATA_DIR: 'x', GATEWAY_DEMO: 'true' }. */
export function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new ConfigError(`Unexpected argument "${arg}" (flags look like --port=8080)`);
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const name = rawName.replace(/-/g, '_').toUpperCase();
    const key = FLAG_ALIASES[name] ?? name;
    if (inline !== undefined) out[key] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[key] = argv[++i];
    else out[key] = 'true';
  }
  return out;
}

/** Reads and checks the configuration; throws ConfigError with a message for a person. */
export function loadConfig(env: Record<string, string | undefined> = process.env, argv: readonly string[] = []): GatewayConfig {
  const vars = { ...env, ...flagsToEnv(argv) };
  const tokens = [
    ...(vars.GATEWAY_TOKENS ? parseTokenList(vars.GATEWAY_TOKENS) : []),
    ...(vars.GATEWAY_TOKENS_FILE ? parseTokensFile(readTokensFile(vars.GATEWAY_TOKENS_FILE)) : []),
  ];
  const names = new Set<string>();
  for (const t of tokens) {
    if (names.has(t.name)) throw new ConfigError(`Token name "${t.name}" is configured twice`);
    names.add(t.name);
  }
  const demo = bool(vars, 'GATEWAY_DEMO', false);
  if (tokens.length === 0 && !demo) {
    throw new ConfigError(
      'No access token configured. Set GATEWAY_TOKENS (name:secret:scopes[:tables];…) or GATEWAY_TOKENS_FILE, ' +
        'or start with --demo (GATEWAY_DEMO=true) for a generated demo token.'
    );
  }
  const defaultRowLimit = int(vars, 'DEFAULT_ROW_LIMIT', 1000, 1);
  const maxRowLimit = int(vars, 'MAX_ROW_LIMIT', 100_000, 1);
  if (defaultRowLimit > maxRowLimit) throw new ConfigError(`DEFAULT_ROW_LIMIT (${defaultRowLimit}) is above MAX_ROW_LIMIT (${maxRowLimit})`);
  const readerDatabaseUrl = vars.READER_DATABASE_URL || undefined;
  if (readerDatabaseUrl && !vars.DATABASE_URL) throw new ConfigError('READER_DATABASE_URL needs DATABASE_URL: the embedded database has no logins');
  const readerRole = vars.READER_ROLE || 'tsgw_reader';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(readerRole)) throw new ConfigError(`READER_ROLE must be a lower-case role name (letters, digits, _), got "${readerRole}"`);
  return {
    port: int(vars, 'PORT', 8080, 0, 65535),
    host: vars.HOST || '127.0.0.1',
    databaseUrl: vars.DATABASE_URL || undefined,
    dataDir: vars.DATA_DIR || './data',
    tokens,
    demo,
    seed: bool(vars, 'GATEWAY_SEED', false) || demo,
    statementTimeoutMs: int(vars, 'STATEMENT_TIMEOUT_MS', 30_000, 0),
    defaultRowLimit,
    maxRowLimit,
    bodyLimit: int(vars, 'BODY_LIMIT', 64 * 1024 * 1024, 1),
    requestTimeoutMs: int(vars, 'REQUEST_TIMEOUT_MS', 120_000, 0),
    corsOrigins: (vars.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: vars.LOG_LEVEL || 'info',
    metricsPublic: bool(vars, 'METRICS_PUBLIC', true),
    poolSize: int(vars, 'DB_POOL_SIZE', 10, 1),
    connectionTimeoutMs: int(vars, 'DB_CONNECT_TIMEOUT_MS', 5000, 1),
    copyThresholdRows: int(vars, 'COPY_THRESHOLD_ROWS', 1000, 1),
    shutdownGraceMs: int(vars, 'SHUTDOWN_GRACE_MS', 10_000, 0),
    readerDatabaseUrl,
    readerRole,
    sqlAllowedFunctions: functionNames(vars, 'SQL_ALLOWED_FUNCTIONS'),
    pressure: {
      maxEventLoopDelayMs: int(vars, 'PRESSURE_MAX_EVENT_LOOP_DELAY_MS', 1000, 0),
      maxHeapUsedBytes: int(vars, 'PRESSURE_MAX_HEAP_USED_BYTES', 0, 0),
      maxRssBytes: int(vars, 'PRESSURE_MAX_RSS_BYTES', 0, 0),
    },
    rateLimit: { max: int(vars, 'RATE_LIMIT_MAX', 0, 0), windowMs: int(vars, 'RATE_LIMIT_WINDOW_MS', 60_000, 1) },
    connections: {
      headersTimeoutMs: int(vars, 'HEADERS_TIMEOUT_MS', 10_000, 1),
      keepAliveTimeoutMs: int(vars, 'KEEP_ALIVE_TIMEOUT_MS', 72_000, 1),
      maxConnections: int(vars, 'MAX_CONNECTIONS', 1024, 0),
      maxRequestsPerSocket: int(vars, 'MAX_REQUESTS_PER_SOCKET', 0, 0),
    },
    messaging: vars.MESSAGING_CONFIG ? readMessagingConfig(vars.MESSAGING_CONFIG) : null,
    messagingInstance: vars.MESSAGING_INSTANCE || hostname(),
  };
}

/** A comma list of function names as pg_proc spells them: `name` or `schema.name`. */
function functionNames(vars: Record<string, string | undefined>, key: string): string[] {
  const names = (vars[key] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!/^[^.\s]+(\.[^.\s]+)?$/.test(name)) throw new ConfigError(`${key} takes names like random or pg_catalog.random, got "${name}"`);
  }
  return names;
}

function readTokensFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`GATEWAY_TOKENS_FILE ${path} cannot be read: ${(err as Error).message}`);
  }
}

function int(vars: Record<string, string | undefined>, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = vars[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function bool(vars: Record<string, string | undefined>, key: string, fallback: boolean): boolean {
  const raw = vars[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${key} must be true or false, got "${vars[key]}"`);
}

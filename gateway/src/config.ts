import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error';
import { grantExpensive, parseTokenList, parseTokensFile, type TokenEntry } from './auth/tokens';
import { readMessagingConfig, type MessagingConfig } from './messaging/config-file';
import { hostname } from 'node:os';
import { parseGoDuration } from './time/interval';

/**
 * Gateway configuration, from environment variables; each can also be given as a
 * command-line flag (`--port 9000`, `--port=9000`, `--demo`): the flag name is the
 * variable's name in lower case with dashes, without the GATEWAY_ prefix.
 *
 * SETTINGS below is the one list of them: `--help` prints it, and a test holds it, the
 * variables loadConfig reads and README's configuration table to the same names.
 *
 * SQL mode without READER_DATABASE_URL on a gateway user that may not create roles answers
 * 503 sql_mode_unavailable; the other modes work. See query/sql-mode-session.ts.
 */
export interface SettingDoc {
  /** The environment variable. */
  name: string;
  /** The default, as a person would write it. */
  default: string;
  description: string;
}

export const SETTINGS: readonly SettingDoc[] = [
  { name: 'PORT', default: '8080', description: 'Listen port; 0 picks a free one' },
  { name: 'HOST', default: '127.0.0.1', description: 'Listen address (0.0.0.0 to expose)' },
  {
    name: 'DATABASE_URL',
    default: 'unset',
    description: 'postgres://… of a PostgreSQL / TimescaleDB server; unset → embedded TimescaleDB',
  },
  {
    name: 'DATABASE_READ_URL',
    default: 'unset',
    description:
      'Comma list of postgres://… read replicas (streaming standbys of DATABASE_URL): reads go to one within READ_MAX_LAG',
  },
  {
    name: 'READ_MAX_LAG',
    default: '5s',
    description: 'How far behind the primary a replica may be and still serve reads (500ms, 5s, 1m)',
  },
  { name: 'DATA_DIR', default: './data', description: 'Embedded database and demo token; memory:// keeps nothing' },
  {
    name: 'GATEWAY_TOKENS',
    default: 'none',
    description: 'name:secret:scope1,scope2[:table1,table2], entries separated by ;',
  },
  {
    name: 'GATEWAY_TOKENS_FILE',
    default: 'none',
    description: 'JSON [{"name", "token" or "sha256", "scopes", "tables"?, "allowExpensive"?}]',
  },
  {
    name: 'GATEWAY_EXPENSIVE_TOKENS',
    default: 'none',
    description:
      'Token names (comma list) that may set allowExpensive on a query, bypassing the cost guard; admin tokens always may',
  },
  {
    name: 'GATEWAY_DEMO',
    default: 'false',
    description: 'No tokens configured → a random demo token with every scope; seeds demo data',
  },
  { name: 'GATEWAY_SEED', default: 'false', description: 'Create the demo tables when absent (without a demo token)' },
  {
    name: 'STATEMENT_TIMEOUT_MS',
    default: '30000',
    description:
      'Per-statement limit on the database; embedded: reads only, stopped by restarting its worker (memory:// then restarts empty)',
  },
  { name: 'DEFAULT_ROW_LIMIT', default: '1000', description: 'Rows a data GET returns without limit' },
  { name: 'MAX_ROW_LIMIT', default: '100000', description: 'Cap on limit; also the row cap of a query' },
  {
    name: 'QUERY_MAX_COST',
    default: '0',
    description:
      'Cost guard: refuse (422) builder/SQL queries whose planner total cost is above this, unless allowExpensive; 0 = off',
  },
  {
    name: 'QUERY_MAX_ROWS_SCANNED',
    default: '0',
    description:
      'Cost guard: refuse (422) queries whose plan expects to read more rows than this, unless allowExpensive; 0 = off',
  },
  {
    name: 'BODY_LIMIT',
    default: '67108864',
    description: 'Largest request body (bytes); also the byte cap of a query result',
  },
  {
    name: 'REQUEST_TIMEOUT_MS',
    default: '120000',
    description:
      'Longest time to receive a whole request (headers and body); a slower one gets 408 and is closed, its upload rolled back; 0 = no limit',
  },
  { name: 'CORS_ORIGINS', default: 'none', description: 'Comma list of allowed origins, * for any' },
  { name: 'LOG_LEVEL', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace, silent' },
  {
    name: 'LOG_FORMAT',
    default: 'auto',
    description: 'pretty (readable lines), json (one object a line), or auto: pretty in demo mode or on a terminal',
  },
  { name: 'METRICS_PUBLIC', default: 'true', description: '/metrics without a token' },
  { name: 'EXAMPLE_PAGES', default: 'demo mode', description: 'Serve the Plotly and D3 example pages at /examples/' },
  { name: 'DB_POOL_SIZE', default: '10', description: 'pg pool size (with DATABASE_URL)' },
  {
    name: 'DB_CONNECT_TIMEOUT_MS',
    default: '5000',
    description: 'Longest wait for a pooled connection (with DATABASE_URL)',
  },
  {
    name: 'DB_PREPARED_STATEMENTS',
    default: '100',
    description:
      'Named prepared statements kept per pooled connection for REST reads; 0 = off (for transaction-pooling proxies such as PgBouncer)',
  },
  {
    name: 'COPY_THRESHOLD_ROWS',
    default: '1000',
    description: 'POST batches at least this large go through COPY (with DATABASE_URL)',
  },
  {
    name: 'READER_DATABASE_URL',
    default: 'unset',
    description:
      "SQL mode's own login (postgres://…): a non-superuser that can only SELECT, used as is (with DATABASE_URL)",
  },
  {
    name: 'READER_ROLE',
    default: 'tsgw_reader',
    description:
      'Without READER_DATABASE_URL: the role SQL mode logs in as, created / updated by the gateway (needs CREATEROLE); embedded: entered with SET LOCAL ROLE',
  },
  {
    name: 'SHUTDOWN_GRACE_MS',
    default: '10000',
    description: 'On SIGTERM / SIGINT: how long requests in flight may finish (new ones get 503)',
  },
  {
    name: 'PRESSURE_MAX_EVENT_LOOP_DELAY_MS',
    default: '1000',
    description: 'Above this event-loop delay requests get 503 at once; 0 = off',
  },
  {
    name: 'PRESSURE_MAX_HEAP_USED_BYTES',
    default: '0',
    description: 'Above this heap use requests get 503 at once; 0 = off',
  },
  {
    name: 'PRESSURE_MAX_RSS_BYTES',
    default: '0',
    description: 'Above this resident memory requests get 503 at once; 0 = off',
  },
  {
    name: 'RATE_LIMIT_MAX',
    default: '0',
    description: 'Requests per window per token (without a token: per IP); 0 = no limit',
  },
  { name: 'RATE_LIMIT_WINDOW_MS', default: '60000', description: 'The rate-limit window' },
  {
    name: 'HEADERS_TIMEOUT_MS',
    default: '10000',
    description: "Longest time to receive a request's headers (slow clients get 408)",
  },
  { name: 'KEEP_ALIVE_TIMEOUT_MS', default: '72000', description: 'Idle keep-alive connections are closed after this' },
  {
    name: 'MAX_CONNECTIONS',
    default: '1024',
    description: 'Open connections at most; more are refused at once; 0 = no cap',
  },
  {
    name: 'MAX_REQUESTS_PER_SOCKET',
    default: '0',
    description: 'Requests per keep-alive connection before it is closed; 0 = no cap',
  },
  {
    name: 'SQL_ALLOWED_FUNCTIONS',
    default: 'none',
    description:
      'Comma list of VOLATILE functions SQL mode may call besides its own harmless ones (name or schema.name)',
  },
  {
    name: 'MESSAGING_CONFIG',
    default: 'unset',
    description:
      'YAML file of the messaging bridges: ingest sources (brokers → tables) and the relay (table changes → brokers)',
  },
  {
    name: 'LIVE_MAX_STREAMS',
    default: '200',
    description: 'Open live streams (POST /api/v1/stream) at most; one more gets 503 live_streams_exhausted',
  },
  {
    name: 'LIVE_MAX_STREAMS_PER_TOKEN',
    default: '20',
    description: 'Open live streams per token at most; one more gets 429 too_many_streams',
  },
  {
    name: 'LIVE_MAX_STREAM_SECONDS',
    default: '3600',
    description:
      'A live stream ends after this (an end event with cursors); the client reconnects without losing points',
  },
  {
    name: 'LIVE_POLL_MS',
    default: '30000',
    description: 'Safety poll: every live query is re-run this often even without a change hint; 0 = never',
  },
  {
    name: 'LIVE_PING_MS',
    default: '15000',
    description: 'A comment line on every live stream this often, so proxies keep it open',
  },
  {
    name: 'LIVE_STREAM_BUFFER_BYTES',
    default: '262144',
    description:
      'Unsent bytes a slow live reader may hold; beyond it deltas are skipped and sent again as one catch-up when it reads',
  },
  {
    name: 'LIVE_TRIGGERS',
    default: 'true',
    description:
      "A table's first live query installs a statement trigger that NOTIFYs its changes (writes not made through the gateway); false = poll only",
  },
  {
    name: 'MESSAGING_INSTANCE',
    default: 'host name',
    description:
      "This gateway's name in consumer names (MQTT client id, Redis consumer): unique per gateway, stable across restarts",
  },
];

export type LogFormat = 'pretty' | 'json' | 'auto';

export interface GatewayConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  /** Read replicas of databaseUrl (DATABASE_READ_URL); empty without. */
  readUrls: string[];
  /** READ_MAX_LAG in milliseconds. */
  readMaxLagMs: number;
  dataDir: string;
  tokens: TokenEntry[];
  demo: boolean;
  seed: boolean;
  statementTimeoutMs: number;
  defaultRowLimit: number;
  maxRowLimit: number;
  /** Cost guard (query/cost-guard.ts); 0 = off. */
  costLimits: { maxCost: number; maxRowsScanned: number };
  bodyLimit: number;
  /** Longest time to receive one whole request, headers and body; 0 = unlimited. */
  requestTimeoutMs: number;
  corsOrigins: string[];
  logLevel: string;
  logFormat: LogFormat;
  metricsPublic: boolean;
  /** Serve the Plotly and D3 example pages under /examples/. */
  examplePages: boolean;
  poolSize: number;
  connectionTimeoutMs: number;
  /** Named prepared statements per pooled connection (pg); 0 = every statement unnamed. */
  preparedStatements: number;
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
  connections: {
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxConnections: number;
    maxRequestsPerSocket: number;
  };
  /** The parsed MESSAGING_CONFIG file; null without one. */
  messaging: MessagingConfig | null;
  messagingInstance: string;
  /** Live streams (routes/stream.ts, live/). */
  live: LiveConfig;
}

export interface LiveConfig {
  maxStreams: number;
  maxStreamsPerToken: number;
  maxStreamMs: number;
  /** 0 = no safety poll. */
  pollMs: number;
  pingMs: number;
  bufferBytes: number;
  triggers: boolean;
}

export { ConfigError };

const FLAG_ALIASES: Record<string, string> = {
  DEMO: 'GATEWAY_DEMO',
  SEED: 'GATEWAY_SEED',
  TOKENS: 'GATEWAY_TOKENS',
  TOKENS_FILE: 'GATEWAY_TOKENS_FILE',
  EXPENSIVE_TOKENS: 'GATEWAY_EXPENSIVE_TOKENS',
};

/** `--data-dir x`, `--data-dir=x`, `--demo` → { DATA_DIR: 'x', GATEWAY_DEMO: 'true' }. */
export function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      throw new ConfigError(`Unexpected argument "${arg}" (flags look like --port=8080)`);
    }
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const name = rawName.replace(/-/g, '_').toUpperCase();
    const key = FLAG_ALIASES[name] ?? name;
    if (inline !== undefined) {
      out[key] = inline;
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out[key] = argv[++i];
    } else {
      out[key] = 'true';
    }
  }
  return out;
}

/** Reads and checks the configuration; throws ConfigError with a message for a person. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  argv: readonly string[] = []
): GatewayConfig {
  const vars = { ...env, ...flagsToEnv(argv) };
  const listed = [
    ...(vars.GATEWAY_TOKENS ? parseTokenList(vars.GATEWAY_TOKENS) : []),
    ...(vars.GATEWAY_TOKENS_FILE ? parseTokensFile(readTokensFile(vars.GATEWAY_TOKENS_FILE)) : []),
  ];
  const tokens = vars.GATEWAY_EXPENSIVE_TOKENS ? grantExpensive(listed, vars.GATEWAY_EXPENSIVE_TOKENS) : listed;
  const names = new Set<string>();
  for (const t of tokens) {
    if (names.has(t.name)) {
      throw new ConfigError(`Token name "${t.name}" is configured twice`);
    }
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
  if (defaultRowLimit > maxRowLimit) {
    throw new ConfigError(`DEFAULT_ROW_LIMIT (${defaultRowLimit}) is above MAX_ROW_LIMIT (${maxRowLimit})`);
  }
  const readerDatabaseUrl = vars.READER_DATABASE_URL || undefined;
  if (readerDatabaseUrl && !vars.DATABASE_URL) {
    throw new ConfigError('READER_DATABASE_URL needs DATABASE_URL: the embedded database has no logins');
  }
  const readUrls = (vars.DATABASE_READ_URL ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (readUrls.length && !vars.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_READ_URL needs DATABASE_URL: read replicas are standbys of a PostgreSQL server, and the embedded database has none. Unset DATABASE_READ_URL, or set DATABASE_URL to the primary.'
    );
  }
  for (const url of readUrls) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new ConfigError(
        `DATABASE_READ_URL takes postgres://… URLs separated by commas, got "${url.replace(/:[^:@/]*@/, ':***@')}"`
      );
    }
  }
  const readerRole = vars.READER_ROLE || 'tsgw_reader';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(readerRole)) {
    throw new ConfigError(`READER_ROLE must be a lower-case role name (letters, digits, _), got "${readerRole}"`);
  }
  return {
    port: int(vars, 'PORT', 8080, 0, 65535),
    host: vars.HOST || '127.0.0.1',
    databaseUrl: vars.DATABASE_URL || undefined,
    readUrls,
    readMaxLagMs: duration(vars, 'READ_MAX_LAG', 5000),
    dataDir: vars.DATA_DIR || './data',
    tokens,
    demo,
    seed: bool(vars, 'GATEWAY_SEED', false) || demo,
    statementTimeoutMs: int(vars, 'STATEMENT_TIMEOUT_MS', 30_000, 0),
    defaultRowLimit,
    maxRowLimit,
    costLimits: {
      maxCost: int(vars, 'QUERY_MAX_COST', 0, 0),
      maxRowsScanned: int(vars, 'QUERY_MAX_ROWS_SCANNED', 0, 0),
    },
    bodyLimit: int(vars, 'BODY_LIMIT', 64 * 1024 * 1024, 1),
    requestTimeoutMs: int(vars, 'REQUEST_TIMEOUT_MS', 120_000, 0),
    corsOrigins: (vars.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: vars.LOG_LEVEL || 'info',
    logFormat: oneOf(vars, 'LOG_FORMAT', ['auto', 'pretty', 'json'] as const, 'auto'),
    metricsPublic: bool(vars, 'METRICS_PUBLIC', true),
    examplePages: bool(vars, 'EXAMPLE_PAGES', demo),
    poolSize: int(vars, 'DB_POOL_SIZE', 10, 1),
    connectionTimeoutMs: int(vars, 'DB_CONNECT_TIMEOUT_MS', 5000, 1),
    preparedStatements: int(vars, 'DB_PREPARED_STATEMENTS', 100, 0),
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
    live: {
      maxStreams: int(vars, 'LIVE_MAX_STREAMS', 200, 0),
      maxStreamsPerToken: int(vars, 'LIVE_MAX_STREAMS_PER_TOKEN', 20, 0),
      maxStreamMs: int(vars, 'LIVE_MAX_STREAM_SECONDS', 3600, 1) * 1000,
      pollMs: int(vars, 'LIVE_POLL_MS', 30_000, 0),
      pingMs: int(vars, 'LIVE_PING_MS', 15_000, 100),
      bufferBytes: int(vars, 'LIVE_STREAM_BUFFER_BYTES', 256 * 1024, 1024),
      triggers: bool(vars, 'LIVE_TRIGGERS', true),
    },
  };
}

/** A comma list of function names as pg_proc spells them: `name` or `schema.name`. */
function functionNames(vars: Record<string, string | undefined>, key: string): string[] {
  const names = (vars[key] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!/^[^.\s]+(\.[^.\s]+)?$/.test(name)) {
      throw new ConfigError(`${key} takes names like random or pg_catalog.random, got "${name}"`);
    }
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

function duration(vars: Record<string, string | undefined>, key: string, fallback: number): number {
  const raw = vars[key];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const ms = /^\d+$/.test(raw) ? null : parseGoDuration(raw);
  if (ms === null || !(ms > 0)) {
    throw new ConfigError(`${key} must be a duration such as 500ms, 5s or 1m, got "${raw}"`);
  }
  return ms;
}

function int(
  vars: Record<string, string | undefined>,
  key: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER
): number {
  const raw = vars[key];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function oneOf<T extends string>(
  vars: Record<string, string | undefined>,
  key: string,
  allowed: readonly T[],
  fallback: T
): T {
  const raw = vars[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  if ((allowed as readonly string[]).includes(raw)) {
    return raw as T;
  }
  throw new ConfigError(`${key} must be one of ${allowed.join(', ')}, got "${vars[key]}"`);
}

function bool(vars: Record<string, string | undefined>, key: string, fallback: boolean): boolean {
  const raw = vars[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  if (['true', '1', 'yes', 'on'].includes(raw)) {
    return true;
  }
  if (['false', '0', 'no', 'off'].includes(raw)) {
    return false;
  }
  throw new ConfigError(`${key} must be true or false, got "${vars[key]}"`);
}

import type { ErrorCode } from '../contract/error-codes';
import { ApiError } from '../errors';

/**
 * Turns a database error (pg, PGlite, or a socket error on the way to the server) into
 * the ApiError the client sees. Returns null for anything that is not a database error,
 * so callers can fall through to their own handling. The query engine uses this too, so
 * a failing query reports the same code as a failing REST call.
 */
export function mapDatabaseError(err: unknown): ApiError | null {
  if (err instanceof ApiError) {
    return err;
  }
  if (!err || typeof err !== 'object') {
    return null;
  }
  const e = err as {
    code?: unknown;
    message?: unknown;
    detail?: unknown;
    column?: unknown;
    constraint?: unknown;
    table?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const details = pickDetails(e, code);

  if (isConnectionFailure(code, message)) {
    return new ApiError('database_unavailable', `The database is unreachable: ${message}`, details);
  }
  if (!/^[0-9A-Z]{5}$/.test(code)) {
    return null;
  }

  const mapped = SQLSTATE_CODES[code] ?? SQLSTATE_CLASS_CODES[code.slice(0, 2)] ?? 'database_error';
  const prefix = mapped === 'statement_timeout' ? 'The statement took too long and was cancelled: ' : '';
  return new ApiError(mapped, prefix + message, details);
}

/**
 * The one SQLSTATE → error code map (the status is the code's, from the catalogue). After
 * PostgREST's Error.hs: single SQLSTATEs first, then whole classes by their first two
 * characters; anything else is a 500 `database_error`.
 */
const SQLSTATE_CODES: Readonly<Record<string, ErrorCode>> = {
  '23505': 'conflict', // unique_violation
  '57014': 'statement_timeout', // query_canceled (statement_timeout or a cancel request)
  '42501': 'forbidden', // insufficient_privilege
  '42P01': 'unknown_table', // undefined_table
  '42703': 'unknown_column', // undefined_column
  '25006': 'read_only', // read_only_sql_transaction
  '0A000': 'not_supported', // feature_not_supported
  '53300': 'database_unavailable', // too_many_connections
  '57P01': 'database_unavailable', // admin_shutdown
  '57P02': 'database_unavailable', // crash_shutdown
  '57P03': 'database_unavailable', // cannot_connect_now
};

const SQLSTATE_CLASS_CODES: Readonly<Record<string, ErrorCode>> = {
  '08': 'database_unavailable', // connection exception
  '22': 'invalid_value', // data exception: the value does not fit its type
  '23': 'constraint_violation', // integrity constraint violation
  '42': 'invalid_query', // syntax error or access rule violation
  // Program limits (54000 "index row requires … bytes", too many columns or arguments, a
  // statement too complex): the request asked for more than the server can take — the
  // client's to change, like a bad value.
  '54': 'limit_exceeded',
};

const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

function isConnectionFailure(code: string, message: string): boolean {
  if (code.startsWith('08') || CONNECTION_ERRNOS.has(code)) {
    return true;
  }
  // pg's pool and client report these without a code.
  return (
    /timeout exceeded when trying to connect/i.test(message) ||
    /Connection terminated/i.test(message) ||
    /Client has encountered a connection error/i.test(message) ||
    /PGlite is clos(ed|ing)/i.test(message) ||
    /database is closed/i.test(message)
  );
}

function pickDetails(e: Record<string, unknown>, code: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (code) {
    out.sqlstate = code;
  }
  for (const key of ['detail', 'column', 'constraint', 'table'] as const) {
    if (typeof e[key] === 'string' && e[key]) {
      out[key] = e[key];
    }
  }
  return Object.keys(out).length ? out : undefined;
}

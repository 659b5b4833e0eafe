import { ApiError } from '../errors';

/**
 * Turns a database error (pg, PGlite, or a socket error on the way to the server) into
 * the ApiError the client sees. Returns null for anything that is not a database error,
 * so callers can fall through to their own handling. The query engine uses this too, so
 * a failing query reports the same code as a failing REST call.
 */
export function mapDatabaseError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (!err || typeof err !== 'object') return null;
  const e = err as { code?: unknown; message?: unknown; detail?: unknown; column?: unknown; constraint?: unknown; table?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const details = pickDetails(e, code);

  if (isConnectionFailure(code, message)) {
    return new ApiError(503, 'database_unavailable', `The database is unreachable: ${message}`, details);
  }
  if (!/^[0-9A-Z]{5}$/.test(code)) return null;

  if (code === '23505') return new ApiError(409, 'conflict', message, details);
  if (code === '57014') return new ApiError(504, 'statement_timeout', `The statement took too long and was cancelled: ${message}`, details);
  if (code === '42501') return new ApiError(403, 'forbidden', message, details);
  if (code === '42P01') return new ApiError(404, 'unknown_table', message, details);
  if (code === '42703') return new ApiError(400, 'unknown_column', message, details);
  if (code.startsWith('22')) return new ApiError(400, 'invalid_value', message, details);
  if (code.startsWith('23')) return new ApiError(400, 'constraint_violation', message, details);
  if (code === '25006') return new ApiError(403, 'read_only', message, details);
  if (code.startsWith('42')) return new ApiError(400, 'invalid_query', message, details);
  // Program limits (54000 "index row requires … bytes", too many columns or arguments, a
  // statement too complex): the request asked for more than the server can take — the
  // client's to change, like a bad value.
  if (code.startsWith('54')) return new ApiError(400, 'limit_exceeded', message, details);
  if (code === '0A000') return new ApiError(400, 'not_supported', message, details);
  if (code === '53300' || code === '57P01' || code === '57P02' || code === '57P03') {
    return new ApiError(503, 'database_unavailable', message, details);
  }
  return new ApiError(500, 'database_error', message, details);
}

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

function isConnectionFailure(code: string, message: string): boolean {
  if (code.startsWith('08') || CONNECTION_ERRNOS.has(code)) return true;
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
  if (code) out.sqlstate = code;
  for (const key of ['detail', 'column', 'constraint', 'table'] as const) {
    if (typeof e[key] === 'string' && e[key]) out[key] = e[key];
  }
  return Object.keys(out).length ? out : undefined;
}

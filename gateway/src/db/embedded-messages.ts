import type { DbField } from './types';
import type { CostLimits, PlanEstimate } from './plan-estimate';

/**
 * What the embedded driver (main thread) and its worker (embedded-worker.ts) say to each other.
 * Everything crosses by structured clone, which keeps Date, Uint8Array, arrays and plain
 * objects as they are, so rows arrive with the exact values the parsers made in the worker.
 * Errors do not keep their own properties (code, detail…) through a clone: they travel as
 * plain objects and are rebuilt here.
 */

export interface WorkerStart {
  /** PGlite's data dir; undefined → in memory, inside the worker. */
  dataDir: string | undefined;
}

export type WorkerRequest =
  /** A statement inside the open transaction (or COMMIT / ROLLBACK), as it is. */
  /** `packed`: the rows cross from PGlite as one value where the columns allow (embedded-packed-rows.ts). */
  | { id: number; op: 'query'; sql: string; params?: readonly unknown[]; packed?: boolean }
  /**
   * Inside the open transaction: EXPLAIN (FORMAT JSON) of `planSql`, then `sql` only when the
   * estimate is within `limits` (the cost guard in one round trip instead of two).
   */
  | {
      id: number;
      op: 'queryWithinCost';
      planSql: string;
      planParams: readonly unknown[];
      limits: CostLimits;
      sql: string;
      params?: readonly unknown[];
      packed?: boolean;
    }
  /** A statement of its own in a READ ONLY transaction (the session's default): nothing it does can write. */
  | { id: number; op: 'read'; sql: string; params?: readonly unknown[] }
  /** A statement of its own that may write: the session's read-only default is lifted for it. */
  | { id: number; op: 'write'; sql: string; params?: readonly unknown[] }
  /** `BEGIN READ ONLY` / `BEGIN READ WRITE` plus the transaction-local settings. */
  | { id: number; op: 'begin'; readOnly: boolean; statementTimeoutMs?: number; role?: string }
  /** `DISCARD ALL` after a transaction, then the worker's own session settings again. */
  | { id: number; op: 'reset' }
  /** Closes PGlite cleanly (a checkpoint, files flushed); the worker is ended after the answer. */
  | { id: number; op: 'close' };

export interface WireResult {
  rows: unknown[];
  fields: DbField[];
  rowCount: number;
  /** `queryWithinCost` only: the estimate passed a limit, so the statement did not run (no rows). */
  refused?: PlanEstimate;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: WireError }
  | { type: 'answer'; id: number; result: WireResult }
  | { type: 'answer'; id: number; error: WireError }
  /** A NOTIFY on a channel the session LISTENs to, sent as PGlite reads it (after the statement that delivered it). */
  | { type: 'notification'; channel: string; payload: string };

/** An error as plain data: its message and its primitive own properties (code, detail, position…). */
export type WireError = { message: string } & Record<string, string | number | boolean>;

export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) {
    return { message: String(err) };
  }
  const out: WireError = { message: err.message };
  for (const [key, value] of Object.entries(err)) {
    // `params` and other objects stay behind: they can be large and are not needed to report.
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = value;
    }
  }
  return out;
}

export function fromWireError(wire: WireError): Error {
  const { message, ...props } = wire;
  return Object.assign(new Error(message), props);
}

/** What pg reports when statement_timeout cancels a statement (SQLSTATE 57014 → 504). */
export function statementTimeoutError(): Error {
  return Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014', severity: 'ERROR' });
}

/** A statement of a transaction whose worker was stopped (statement timeout, or its caller aborted it). */
export function transactionAbortedError(): Error {
  return Object.assign(
    new Error(
      'current transaction is aborted, commands ignored until end of transaction block (a statement was stopped by ending the embedded database worker)'
    ),
    {
      code: '25P02',
      severity: 'ERROR',
    }
  );
}

/** The worker ended without being asked to (a WASM abort, say): like a lost connection (→ 503). */
export function workerLostError(reason: string): Error {
  return Object.assign(new Error(`The embedded database stopped unexpectedly: ${reason}`), {
    code: '08006',
    severity: 'FATAL',
  });
}

/** PGlite did not open in a new worker (a damaged data dir, say): the database is unavailable (→ 503). */
export function startFailedError(reason: string): Error {
  return Object.assign(new Error(`The embedded database could not start: ${reason}`), {
    code: '08006',
    severity: 'FATAL',
  });
}

export function closedError(): Error {
  return new Error('The embedded database is closed');
}

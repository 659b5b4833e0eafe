import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Where the reads of one piece of work were served: the primary or a read replica (and how far
 * behind it was), and which replicas were passed over and why. The database layer writes it
 * (db/replicas.ts); the HTTP layer turns it into `X-Served-By` headers and the query runner into
 * frame notices, without knowing how replicas are chosen. Records nest: a query's own record
 * inside its request's, and every entry reaches all records around it.
 */

export interface Serving {
  /** "primary", or the replica's name (host:port/database). */
  server: string;
  replica: boolean;
  /** Replicas only: how old the newest data it may lack is, at most (milliseconds). */
  lagMs?: number;
}

export interface Skipped {
  server: string;
  reason: string;
}

export class ServedByRecord {
  readonly served: Serving[] = [];
  readonly skipped: Skipped[] = [];
  constructor(private readonly parent?: ServedByRecord) {}

  addServed(s: Serving): void {
    this.served.push(s);
    this.parent?.addServed(s);
  }

  addSkipped(s: Skipped): void {
    if (!this.skipped.some((k) => k.server === s.server && k.reason === s.reason)) {
      this.skipped.push(s);
    }
    this.parent?.addSkipped(s);
  }

  /** The replica that served with the largest lag, if any replica served. */
  mostLagging(): Serving | undefined {
    return this.served.filter((s) => s.replica).sort((a, b) => (b.lagMs ?? 0) - (a.lagMs ?? 0))[0];
  }
}

const current = new AsyncLocalStorage<ServedByRecord>();

/** Runs `fn` with a record of its own (nested in the current one, if any). */
export function withServedByRecord<T>(fn: (record: ServedByRecord) => T): T {
  const record = new ServedByRecord(current.getStore());
  return current.run(record, () => fn(record));
}

/** For continuation-style hooks: `done` runs inside a fresh record. */
export function runInServedByRecord(record: ServedByRecord, done: () => void): void {
  current.run(record, done);
}

export function recordServed(s: Serving): void {
  current.getStore()?.addServed(s);
}

export function recordSkipped(s: Skipped): void {
  current.getStore()?.addSkipped(s);
}

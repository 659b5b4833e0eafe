import type { Db, ReplicaState, ReplicaStatus } from './types';
import { mapDatabaseError } from './sqlstate';
import { lsnToBigInt, PrimaryWalHistory } from './replica-freshness';
import { recordServed, recordSkipped } from './served-by';
import { isLoginRefused } from './reader-pool';

/**
 * The read replicas of DATABASE_READ_URL, watched and chosen. Every `pollMs` the primary's WAL
 * position is sampled and each replica asked how far it has replayed (replica-freshness.ts);
 * a read goes to the freshest replica whose staleness is within READ_MAX_LAG, else to the
 * primary. A replica that does not answer, is not a standby (promoted, or a wrong URL) or lags
 * too far is skipped and the reason recorded (served-by.ts). A read the replica fails because
 * it is gone, or that the standby cancels (conflict with recovery, SQLSTATE 40001 / 40P01), is
 * run once more on the primary; other errors (bad SQL, timeouts) are the query's own.
 */

interface Replica {
  name: string;
  url: string;
  db: Db;
  state: ReplicaState;
  freshAsOf: number | null;
  replayLsn: string | null;
  lastError: string | null;
  checkedAt: number | null;
}

export interface ReplicaSetOptions {
  primary: Db;
  replicas: Array<{ name: string; url: string; db: Db }>;
  maxLagMs: number;
  pollMs: number;
  onError?: (err: Error, replica: string) => void;
}

/** A URL without its credentials: host:port/database. */
export function replicaName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname || ''}`;
  } catch {
    return 'replica';
  }
}

/** A standby cancelled the statement so that replay could go on. */
export function isRecoveryConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

export class ReplicaSet {
  private readonly replicas: Replica[];
  private readonly history: PrimaryWalHistory;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: ReplicaSetOptions) {
    this.replicas = options.replicas.map((r) => ({
      ...r,
      state: 'unknown',
      freshAsOf: null,
      replayLsn: null,
      lastError: null,
      checkedAt: null,
    }));
    // Keep enough history to place a replica somewhat past the bound, for the status report.
    this.history = new PrimaryWalHistory(Math.max(options.maxLagMs * 4, 60_000));
  }

  /** First poll (so the first reads already know the replicas), then one every pollMs. */
  async start(): Promise<void> {
    await this.poll();
    const tick = () => {
      if (this.closed) {
        return;
      }
      this.timer = setTimeout(() => void this.poll().finally(tick), this.options.pollMs);
      this.timer.unref();
    };
    tick();
  }

  /** One round of measurements; concurrent callers share it. */
  poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const before = Date.now();
        try {
          const res = await this.options.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
          this.history.add(before, lsnToBigInt(res.rows[0].lsn));
        } catch {
          // The primary is away: no new sample, so replica staleness keeps growing, as it should.
        }
        await Promise.all(this.replicas.map((r) => this.check(r)));
      } finally {
        this.polling = null;
      }
    })();
    return this.polling;
  }

  private async check(r: Replica): Promise<void> {
    try {
      const res = await r.db.query<{ standby: boolean; replayed: string | null }>(
        'SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed'
      );
      const { standby, replayed } = res.rows[0];
      r.checkedAt = Date.now();
      r.lastError = null;
      if (!standby || !replayed) {
        r.state = 'not_standby';
        r.freshAsOf = null;
        r.replayLsn = null;
        return;
      }
      r.state = 'up';
      r.replayLsn = replayed;
      r.freshAsOf = this.history.freshAsOf(lsnToBigInt(replayed));
    } catch (err) {
      r.checkedAt = Date.now();
      this.markDown(r, err);
    }
  }

  private markDown(r: Replica, err: unknown): void {
    r.state = 'down';
    r.lastError = (err as Error)?.message ?? String(err);
    this.options.onError?.(err as Error, r.name);
  }

  private staleness(r: Replica, now: number): number | null {
    return r.freshAsOf === null ? null : Math.max(0, now - r.freshAsOf);
  }

  private whyNot(r: Replica, now: number): string | null {
    if (r.state === 'down') {
      return `unreachable (${r.lastError ?? 'no answer'})`;
    }
    if (r.state === 'not_standby') {
      return 'not a standby (pg_is_in_recovery() is false)';
    }
    if (r.state === 'unknown') {
      return 'not checked yet';
    }
    const lag = this.staleness(r, now);
    if (lag === null) {
      return `lagging more than ${formatSeconds(this.options.maxLagMs * 4)} behind the primary`;
    }
    if (lag > this.options.maxLagMs) {
      return `lagging ${formatSeconds(lag)} behind the primary (READ_MAX_LAG ${formatSeconds(this.options.maxLagMs)})`;
    }
    return null;
  }

  /**
   * A read: on the freshest replica within the bound (`onReplica`), else on the primary
   * (`onPrimary`). Where it ran, and which replicas were skipped, goes into the served-by record.
   */
  async read<T>(
    onPrimary: () => Promise<T>,
    onReplica: (db: Db, url: string) => Promise<T>,
    signal?: AbortSignal
  ): Promise<T> {
    const now = Date.now();
    let best: { r: Replica; lag: number } | null = null;
    for (const r of this.replicas) {
      const reason = this.whyNot(r, now);
      if (reason) {
        recordSkipped({ server: r.name, reason });
        continue;
      }
      const lag = this.staleness(r, now)!;
      if (!best || lag < best.lag) {
        best = { r, lag };
      }
    }
    if (best) {
      try {
        const result = await onReplica(best.r.db, best.r.url);
        recordServed({ server: best.r.name, replica: true, lagMs: best.lag });
        return result;
      } catch (err) {
        if (signal?.aborted) {
          throw err;
        }
        if (isRecoveryConflict(err)) {
          recordSkipped({
            server: best.r.name,
            reason: 'the standby cancelled the query (conflict with recovery); run again on the primary',
          });
        } else if (isLoginRefused(err)) {
          // SQL mode's reader login, say, before its password has replayed to the standby.
          recordSkipped({ server: best.r.name, reason: `login refused (${(err as Error).message})` });
        } else if (mapDatabaseError(err)?.code === 'database_unavailable') {
          this.markDown(best.r, err);
          recordSkipped({ server: best.r.name, reason: `unreachable (${(err as Error).message})` });
        } else {
          throw err;
        }
      }
    }
    const result = await onPrimary();
    recordServed({ server: 'primary', replica: false });
    return result;
  }

  status(): ReplicaStatus[] {
    const now = Date.now();
    return this.replicas.map((r) => ({
      name: r.name,
      state: r.state,
      lagMs: r.state === 'up' ? this.staleness(r, now) : null,
      replayLsn: r.replayLsn,
      reason: this.whyNot(r, now),
      checkedAt: r.checkedAt === null ? null : new Date(r.checkedAt).toISOString(),
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
    }
    await this.polling?.catch(() => undefined);
    await Promise.all(this.replicas.map((r) => r.db.close().catch(() => undefined)));
  }
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

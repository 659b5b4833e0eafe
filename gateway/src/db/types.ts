import type { CostLimits, PlanEstimate } from './plan-estimate';

/**
 * The one database interface the rest of the gateway sees. Two drivers implement it:
 * `pg` (a Pool against a real PostgreSQL / TimescaleDB server, when DATABASE_URL is set)
 * and the embedded TimescaleDB (PGlite + the timescaledb extension, one connection,
 * work serialised). Nothing outside `db/` knows which one runs.
 *
 * Both drivers return the same JavaScript values for the same SQL types, so results
 * (and tests) are identical on either:
 *   timestamptz / timestamp → Date (timestamp without time zone read as UTC)
 *   int2 / int4 / float4 / float8 → number
 *   int8 / numeric → number when it is exactly representable, otherwise string
 *   bool → boolean, json / jsonb → parsed value, date → 'YYYY-MM-DD' string,
 *   everything else → the PostgreSQL text form.
 *
 * A Date parameter is bound as UTC ISO text on both: the same instant for timestamptz and its
 * UTC wall time for timestamp / date, whatever the process time zone.
 */

export interface DbField {
  name: string;
  /** PostgreSQL type OID of the result column. */
  dataTypeID: number;
}

export interface DbResult<R = Record<string, unknown>> {
  rows: R[];
  fields: DbField[];
  /** Rows returned or affected. */
  rowCount: number;
}

/**
 * A result left in PostgreSQL's text output (see `Db.queryText`): what a consumer needs to
 * write values straight out without building JavaScript values first.
 */
export interface DbTextResult {
  fields: DbField[];
  /** Each row's values in field order as PostgreSQL prints them; SQL NULL → null. */
  rows: Array<Array<string | null>>;
  /** Per field, the parser `query()` applies: text → exactly the value `query()` would return. */
  parsers: Array<(text: string) => unknown>;
}

/** Something that runs SQL with bound parameters: the database itself or an open transaction. */
export interface DbSession {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<DbResult<R>>;
  /**
   * Plans `plan.sql` (EXPLAIN (FORMAT JSON), its own parameters) and runs `sql` only when the
   * estimate is within `plan.limits`, in one round trip: present where that saves one (the
   * embedded driver's worker); elsewhere the caller runs the two statements itself.
   */
  queryWithinCost?<R = Record<string, unknown>>(
    plan: CostCheck,
    sql: string,
    params?: readonly unknown[],
    options?: RowsOptions
  ): Promise<CostCheckedResult<R>>;
  /**
   * Like `query()`, for a result of many rows: the same rows and fields, handed over the way
   * that is cheapest for many (the embedded driver's worker packs them into one value). Absent
   * where `query()` already is that.
   */
  queryMany?<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<DbResult<R>>;
}

export interface RowsOptions {
  /** The result may be many rows: read it as `queryMany()` does. */
  many?: boolean;
}

/** The statement the cost guard plans, and the limits its estimate is held to. */
export interface CostCheck {
  sql: string;
  params: readonly unknown[];
  limits: CostLimits;
}

/** Either the statement's result or, when the estimate passed a limit, the estimate (nothing ran). */
export type CostCheckedResult<R> = { result: DbResult<R> } | { refused: PlanEstimate };

export interface QueryOptions {
  /**
   * Aborted when the answer is no longer wanted (the HTTP client went away): a statement still
   * waiting to run does not start, a running one is cancelled on the server (pg) or its
   * embedded worker ended (a read on a persistent data dir only, see embedded-driver.ts), and
   * the call rejects with the signal's reason. Give it only to reads; a write transaction that
   * is cancelled rolls back whole, but writes are left to finish.
   */
  signal?: AbortSignal;
  /**
   * The work only reads and may see data up to READ_MAX_LAG old: it may be served by a read
   * replica (DATABASE_READ_URL). Leave it off for reads that must see the latest writes.
   */
  staleOk?: boolean;
  /**
   * The SQL text is one the gateway builds again and again, only its bound values differ (a
   * REST read): the driver may keep it prepared on the connection by name (pg, up to
   * DB_PREPARED_STATEMENTS per connection), so it is parsed and planned once, not every time.
   * Never for statements a user wrote (SQL mode).
   */
  prepare?: boolean;
}

export interface TransactionOptions extends QueryOptions {
  /** `BEGIN READ ONLY`. */
  readOnly?: boolean;
  /** `SET LOCAL statement_timeout`, milliseconds. */
  statementTimeoutMs?: number;
  /** `SET LOCAL ROLE`: the transaction runs with that role's privileges. */
  role?: string;
  /**
   * After COMMIT / ROLLBACK, `DISCARD ALL` on the connection (advisory locks, cursors, LISTEN,
   * prepared statements, temporary tables, settings), so nothing of the transaction's session
   * state reaches the next user. A connection whose reset fails is not reused.
   */
  resetSession?: boolean;
}

export interface Db extends DbSession {
  readonly driver: 'postgres' | 'embedded';
  query<R = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions
  ): Promise<DbResult<R>>;
  /** Runs `fn` inside one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: DbSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * `COPY <target> FROM STDIN` of CSV text inside a transaction, where the driver supports
   * streaming it (pg). Returns the rows copied. Absent on drivers without COPY streaming.
   */
  copyFrom?(
    tx: DbSession,
    copySql: string,
    csv: AsyncIterable<string | Buffer> | Iterable<string | Buffer>
  ): Promise<number>;
  /**
   * Like `query()`, but rows stay arrays of PostgreSQL text, unparsed (large REST reads
   * encode them directly). Absent on drivers that cannot hand text out cheaply.
   */
  queryText?(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<DbTextResult>;
  /**
   * Opens a connection that receives NOTIFY (one per gateway, kept by db/notifications.ts).
   * Absent on drivers that cannot deliver notifications: callers poll there.
   */
  openNotificationConnection?(events: NotificationEvents): Promise<NotificationConnection>;
  /**
   * For reads over connections of the caller's own (SQL mode's reader login): `onReplica` with
   * the URL of a replica fresh enough to serve, else `onPrimary`; absent without DATABASE_READ_URL.
   */
  routeRead?<T>(
    onPrimary: () => Promise<T>,
    onReplica: (replicaUrl: string) => Promise<T>,
    signal?: AbortSignal
  ): Promise<T>;
  /** The read replicas and how they stand; absent without DATABASE_READ_URL. */
  replicaStatus?(): ReplicaStatus[];
  close(): Promise<void>;
}

/** What a notification connection reports. */
export interface NotificationEvents {
  onNotification(channel: string, payload: string): void;
  /** The connection is gone (server restart, network): nothing more arrives on it. */
  onLost(err: Error): void;
}

/** A session that LISTENs. Channel names are used as they are (quoted). */
export interface NotificationConnection {
  listen(channel: string): Promise<void>;
  unlisten(channel: string): Promise<void>;
  close(): Promise<void>;
}

// Declared beside Db, which reports it; replicas.ts fills it in.
export type ReplicaState = 'unknown' | 'up' | 'down' | 'not_standby';

export interface ReplicaStatus {
  name: string;
  state: ReplicaState;
  /** Upper bound of the data it may lack, in milliseconds; null when unknown. */
  lagMs: number | null;
  replayLsn: string | null;
  /** Why it is not serving, when it is not. */
  reason: string | null;
  checkedAt: string | null;
}

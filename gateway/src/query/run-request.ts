import type { FastifyInstance } from 'fastify';
import type { GatewayQuery, QueryRequest, QueryResponse, QueryResult } from '../contract/query';
import type { Principal } from '../auth/principal';
import { assertMayRunExpensive, assertTableAllowed, hasScope } from '../auth';
import { ApiError } from '../errors';
import { mapDatabaseError } from '../db/sqlstate';
import { toDataFrameJSON } from '../frames/frame-types';
import { checkPanelInterval, MAX_QUERIES_PER_REQUEST } from '../limits/bounds';
import { requestContext, type RequestContext } from './query-context';
import { runBuilderQuery } from './run-builder-query';
import { runSqlQuery } from './run-sql-query';
import { ResponseBudget, type ResultLimits } from './result-limits';
import { withServedByRecord } from '../db/served-by';
import { addReplicaNotices } from './replica-notices';
import type { WorkFrame } from '../frames/frame-types';

/**
 * Queries of one request run at most this many at a time: each may hold up to a full result
 * while it is shaped, so the memory of a request stays a small multiple of the byte cap.
 */
const CONCURRENT_QUERIES = 4;

/**
 * A whole `/api/v1/query` request: the shared context is checked once (a bad range fails the
 * request), then every visible query runs on its own, in its own transaction. One failing
 * query reports its error, code and status in its own result and never touches the others.
 * Every query is held to the row and byte caps, and the whole response to the byte cap.
 */
export async function runQueryRequest(
  app: FastifyInstance,
  principal: Principal,
  req: QueryRequest,
  signal?: AbortSignal
): Promise<QueryResponse> {
  if (req.queries.length > MAX_QUERIES_PER_REQUEST) {
    throw new ApiError(
      'too_many_queries',
      `A request may hold at most ${MAX_QUERIES_PER_REQUEST} queries, not ${req.queries.length}`,
      {
        count: req.queries.length,
        max: MAX_QUERIES_PER_REQUEST,
      }
    );
  }
  checkPanelInterval(req.intervalMs);
  const limits: ResultLimits = { maxRows: app.config.maxRowLimit, maxBytes: app.config.bodyLimit };
  const ctx = requestContext(req, app.capabilities.timescaledb !== null);
  const seen = new Set<string>();
  for (const q of req.queries) {
    if (seen.has(q.refId)) {
      throw new ApiError('duplicate_ref_id', `Two queries have refId ${JSON.stringify(q.refId)}`, { refId: q.refId });
    }
    seen.add(q.refId);
  }
  const visible = req.queries.filter((q) => !q.hide);
  const budget = new ResponseBudget(limits.maxBytes);
  const results = await mapConcurrently(visible, CONCURRENT_QUERIES, (q) =>
    runOne(app, principal, q, ctx, limits, budget, signal)
  );
  return { results: Object.fromEntries(visible.map((q, i) => [q.refId, results[i]])) };
}

/** `fn` over `items`, at most `limit` at a time; results in the order of `items`. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function runOne(
  app: FastifyInstance,
  principal: Principal,
  q: GatewayQuery,
  ctx: RequestContext,
  limits: ResultLimits,
  budget: ResponseBudget,
  signal: AbortSignal | undefined
): Promise<QueryResult> {
  let executed: string | undefined;
  const onExecuted = (sql: string) => {
    executed = sql;
  };
  try {
    // Each query keeps its own record of where it was served, for its frame's notices.
    const frame = await withServedByRecord(async (record) => {
      const f = await runOneQuery(app, principal, q, ctx, limits, onExecuted, signal);
      addReplicaNotices(f, record);
      return f;
    });
    budget.charge(frame);
    return { frames: [toDataFrameJSON(frame, q.refId)], executedQueryString: frame.meta.executedQueryString };
  } catch (err) {
    const apiError = mapDatabaseError(err) ?? new ApiError('internal_error', 'Internal error');
    if (apiError.statusCode >= 500) {
      app.log.error({ err, refId: q.refId }, 'query failed');
    }
    const meta = executed !== undefined ? { executedQueryString: executed } : {};
    return {
      frames: [{ schema: { refId: q.refId, meta, fields: [] }, data: { values: [] } }],
      error: apiError.message,
      errorCode: apiError.code,
      status: apiError.statusCode,
      ...(executed !== undefined ? { executedQueryString: executed } : {}),
    };
  }
}

async function runOneQuery(
  app: FastifyInstance,
  principal: Principal,
  q: GatewayQuery,
  ctx: RequestContext,
  limits: ResultLimits,
  onExecuted: (sql: string) => void,
  signal: AbortSignal | undefined
): Promise<WorkFrame> {
  let frame: WorkFrame;
  if (q.allowExpensive) {
    assertMayRunExpensive(principal, q.refId);
  }
  if (q.mode === 'sql') {
    if (!hasScope(principal, 'sql')) {
      throw new ApiError('forbidden', `Token "${principal.name}" lacks the "sql" scope needed for SQL mode`, {
        scope: 'sql',
      });
    }
    if (principal.tables) {
      throw new ApiError('forbidden', `Token "${principal.name}" is limited to some tables, so it cannot run raw SQL`, {
        token: principal.name,
      });
    }
    frame = await runSqlQuery(q, ctx, {
      sqlMode: app.sqlMode,
      limits,
      statementTimeoutMs: app.config.statementTimeoutMs,
      onExecuted,
      signal,
      costLimits: app.config.costLimits,
    });
  } else {
    if (!hasScope(principal, 'read')) {
      throw new ApiError('forbidden', `Token "${principal.name}" lacks the "read" scope`, { scope: 'read' });
    }
    const table = await app.catalog.resolveTableFresh(q.table);
    assertTableAllowed(principal, table.name);
    frame = await runBuilderQuery(q, ctx, {
      db: app.db,
      table,
      limits,
      statementTimeoutMs: app.config.statementTimeoutMs,
      onExecuted,
      signal,
      continuousAggregates: app.catalog.continuousAggregatesOf(table.name),
      costLimits: app.config.costLimits,
    });
  }
  return frame;
}

import type { FastifyInstance } from 'fastify';
import type { GatewayQuery, QueryRequest, QueryResponse, QueryResult } from '../contract/query';
import type { Principal } from '../auth/principal';
import { assertTableAllowed, hasScope } from '../auth';
import { ApiError } from '../errors';
import { mapDatabaseError } from '../db/sqlstate';
import { toDataFrameJSON } from '../sql/frame-types';
import { requestContext, type RequestContext } from './query-context';
import { runBuilderQuery } from './run-builder-query';
import { runSqlQuery } from './run-sql-query';
import type { ResultLimits } from './result-limits';

/**
 * A whole `/api/v1/query` request: the shared context is checked once (a bad range fails the
 * request), then every visible query runs on its own, in its own transaction. One failing
 * query reports its error, code and status in its own result and never touches the others.
 */
export async function runQueryRequest(app: FastifyInstance, principal: Principal, req: QueryRequest): Promise<QueryResponse> {
  const ctx = requestContext(req, app.capabilities.timescaledb !== null);
  const limits: ResultLimits = { maxRows: app.config.maxRowLimit, maxBytes: app.config.bodyLimit };
  const seen = new Set<string>();
  for (const q of req.queries) {
    if (seen.has(q.refId)) throw ApiError.badRequest('duplicate_ref_id', `Two queries have refId ${JSON.stringify(q.refId)}`, { refId: q.refId });
    seen.add(q.refId);
  }
  const visible = req.queries.filter((q) => !q.hide);
  const entries = await Promise.all(visible.map(async (q) => [q.refId, await runOne(app, principal, q, ctx, limits)] as const));
  return { results: Object.fromEntries(entries) };
}

async function runOne(app: FastifyInstance, principal: Principal, q: GatewayQuery, ctx: RequestContext, limits: ResultLimits): Promise<QueryResult> {
  let executed: string | undefined;
  const onExecuted = (sql: string) => {
    executed = sql;
  };
  try {
    let frame;
    if (q.mode === 'sql') {
      if (!hasScope(principal, 'sql')) {
        throw new ApiError(403, 'forbidden', `Token "${principal.name}" lacks the "sql" scope needed for SQL mode`, { scope: 'sql' });
      }
      if (principal.tables) {
        throw new ApiError(403, 'forbidden', `Token "${principal.name}" is limited to some tables, so it cannot run raw SQL`, { token: principal.name });
      }
      frame = await runSqlQuery(q, ctx, { sqlMode: app.sqlMode, limits, statementTimeoutMs: app.config.statementTimeoutMs, onExecuted });
    } else {
      if (!hasScope(principal, 'read')) {
        throw new ApiError(403, 'forbidden', `Token "${principal.name}" lacks the "read" scope`, { scope: 'read' });
      }
      const table = await app.catalog.resolveTableFresh(q.table);
      assertTableAllowed(principal, table.name);
      frame = await runBuilderQuery(q, ctx, { db: app.db, table, limits, statementTimeoutMs: app.config.statementTimeoutMs, onExecuted });
    }
    return { frames: [toDataFrameJSON(frame, q.refId)], executedQueryString: frame.meta.executedQueryString };
  } catch (err) {
    const apiError = mapDatabaseError(err) ?? new ApiError(500, 'internal_error', 'Internal error');
    if (apiError.statusCode >= 500) app.log.error({ err, refId: q.refId }, 'query failed');
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

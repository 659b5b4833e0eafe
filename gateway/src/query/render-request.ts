import type { FastifyInstance } from 'fastify';
import type { RenderRequest, RenderResponse } from '../contract/query';
import type { Principal } from '../auth/principal';
import { assertTableAllowed } from '../auth';
import { checkPanelInterval } from '../limits/bounds';
import { renderBuilderQuery } from '../sql/render-builder';
import { requestContext } from './query-context';
import { builderContext } from './run-builder-query';

/**
 * `POST /api/v1/query/render`: a builder query as the statement it would run and as SQL-mode
 * text, checked as `/api/v1/query` checks it (table, columns, bounds; the route checks the
 * "read" scope) but not run.
 * A bad query fails the request with the status and code it would get there.
 */
export async function renderQueryRequest(
  app: FastifyInstance,
  principal: Principal,
  req: RenderRequest
): Promise<RenderResponse> {
  checkPanelInterval(req.intervalMs);
  const ctx = requestContext({ ...req, queries: [req.query] }, app.capabilities.timescaledb !== null);
  const table = await app.catalog.resolveTableFresh(req.query.table);
  assertTableAllowed(principal, table.name);
  const limits = { maxRows: app.config.maxRowLimit, maxBytes: app.config.bodyLimit };
  const { built, sqlModeText } = renderBuilderQuery(req.query, builderContext(ctx, table, limits));
  return { sql: built.sql, params: built.params, sqlModeText };
}

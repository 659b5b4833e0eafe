import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from 'typebox';
import { assertTableAllowed, requireScope } from '../auth';
import { ErrorBody } from '../contract/errors';
import { ValuesResponse } from '../contract/catalog';
import { distinctValues } from '../query/distinct-values';
import { clientAbortSignal } from '../http/client-abort-signal';

const Params = Type.Object({
  table: Type.String({ minLength: 1, maxLength: 200 }),
  column: Type.String({ minLength: 1, maxLength: 200 }),
});
const Query = Type.Object({
  /** Case-insensitive substring the values must contain. */
  q: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

/** `GET /api/v1/catalog/:table/values/:column`: distinct values for variables and ad hoc filters. */
export const valuesRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof Query> }>(
    '/api/v1/catalog/:table/values/:column',
    {
      preHandler: requireScope('read'),
      schema: {
        tags: ['catalog'],
        summary: 'Distinct values of a column (newest rows first on big tables), optionally filtered by a substring',
        params: Params,
        querystring: Query,
        response: { 200: ValuesResponse, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const table = await app.catalog.resolveTableFresh(request.params.table);
      assertTableAllowed(request.principal, table.name);
      const column = app.catalog.resolveColumn(table, request.params.column);
      const values = await distinctValues(app.db, table, column, {
        q: request.query.q || undefined,
        limit: request.query.limit ?? 100,
        statementTimeoutMs: app.config.statementTimeoutMs,
        signal: clientAbortSignal(reply),
      });
      return { table: table.name, column: column.name, values };
    }
  );
};

import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../auth';
import { renderQueryRequest } from '../query/render-request';
import { ErrorBody } from '../contract/errors';
import { QueryRequest, QueryResponse, RenderRequest, RenderResponse } from '../contract/query';
import { runQueryRequest } from '../query/run-request';
import { clientAbortSignal } from '../http/client-abort-signal';
import { countFrameValues, jsonPieces } from '../rest/json-pieces';

/** Answers with more frame values than this are streamed. */
const STREAM_ABOVE_VALUES = 20_000;

/** `POST /api/v1/query`: Grafana-style multi-query requests answered with data frames per refId. */
export const queryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/v1/query',
    {
      // Each query checks its own scope (SQL mode needs "sql"); the request needs at least one of them.
      preHandler: async (request, reply) => {
        const p = request.principal;
        if (p && !p.scopes.some((s) => s === 'read' || s === 'sql' || s === 'admin')) {
          await requireScope('read')(request, reply);
        }
      },
      schema: {
        tags: ['query'],
        summary: 'Run builder and SQL-mode queries; answers Grafana DataFrameJSON per refId',
        body: QueryRequest,
        response: { 200: QueryResponse, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const response = await runQueryRequest(app, request.principal!, request.body, clientAbortSignal(reply));
      if (countFrameValues(response) < STREAM_ABOVE_VALUES) {
        return response;
      }
      // A large answer (up to BODY_LIMIT) goes out in pieces instead of as one string beside
      // its values (and a second copy on its way to the socket). Fastify pipes a stream without
      // the response schema's serializer, so the typed-body check does not apply to it.
      const pieces = Readable.from(jsonPieces(response), { objectMode: false });
      return reply.type('application/json; charset=utf-8').send(pieces as unknown as QueryResponse);
    }
  );

  app.post(
    '/api/v1/query/render',
    {
      preHandler: requireScope('read'),
      schema: {
        tags: ['query'],
        summary:
          'Render one builder query without running it: its SQL, bound parameters and the equivalent SQL-mode text',
        body: RenderRequest,
        response: { 200: RenderResponse, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => renderQueryRequest(app, request.principal!, request.body)
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../auth';
import { ErrorBody } from '../contract/errors';
import { StreamRequest } from '../contract/stream';

/**
 * `POST /api/v1/stream`: live panels. The body of `/api/v1/query` plus cursors; the answer is
 * Server-Sent Events (`frame` deltas with an `id` cursor, `: ping` comments, a last `end`),
 * read by the plugin with `getBackendSrv().chunked()` through Grafana's data proxy, which
 * passes `text/event-stream` through unbuffered. See live/live-hub.ts.
 */
export const streamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/v1/stream',
    {
      preHandler: async (request, reply) => {
        const p = request.principal;
        if (p && !p.scopes.some((s) => s === 'read' || s === 'sql' || s === 'admin')) {
          await requireScope('read')(request, reply);
        }
      },
      schema: {
        tags: ['query'],
        summary: 'Live queries: Server-Sent Events with a data frame delta per change (text/event-stream)',
        body: StreamRequest,
        response: { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      await app.live.open(request, reply);
      return reply;
    }
  );
};

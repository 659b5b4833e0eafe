import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { mapDatabaseError } from '../db/sqlstate';
import { ApiError } from '../errors';

/** Liveness (process), readiness (database answers) and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: { tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({
      status: 'ok' as const,
    })
  );

  app.get(
    '/ready',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        response: { 200: Type.Object({ status: Type.Literal('ready'), driver: Type.String() }) },
      },
    },
    async () => {
      try {
        await app.db.query('SELECT 1');
      } catch (err) {
        throw mapDatabaseError(err) ?? new ApiError('database_unavailable', 'The database does not answer');
      }
      return { status: 'ready' as const, driver: app.db.driver };
    }
  );

  app.get(
    '/metrics',
    { config: { public: app.config.metricsPublic }, schema: { tags: ['health'], summary: 'Prometheus metrics' } },
    async (_request, reply) => {
      return reply.type(app.metrics.contentType).send(await app.metrics.metrics());
    }
  );
};

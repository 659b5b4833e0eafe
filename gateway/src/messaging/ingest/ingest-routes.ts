import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { requireScope } from '../../auth';

const SourceStatus = Type.Object({
  name: Type.String(),
  broker: Type.String(),
  table: Type.String(),
  state: Type.String(),
  received: Type.Integer(),
  storedRows: Type.Integer(),
  storedMessages: Type.Integer(),
  duplicates: Type.Integer(),
  deadLettered: Type.Integer(),
  retries: Type.Integer(),
  inFlight: Type.Integer(),
  backlog: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.Object({ message: Type.String(), at: Type.String() }), Type.Null()]),
});

/** `GET /api/v1/ingest`: each configured ingest source and what it has done (admin). */
export const ingestRoutes: FastifyPluginAsync = async (app) => {
  const admin = requireScope('admin');
  app.get(
    '/api/v1/ingest',
    {
      schema: {
        tags: ['ingest'],
        summary: 'Ingest sources and their counters',
        response: { 200: Type.Object({ sources: Type.Array(SourceStatus) }) },
      },
      preHandler: admin,
    },
    async () => ({ sources: app.ingest.status() })
  );
};

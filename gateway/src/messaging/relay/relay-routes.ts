import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { requireScope } from '../../auth';
import { ApiError } from '../../errors';
import { OPERATIONS, type Operation } from './config';
import { installOutboxSchema, installCaptureTrigger, removeCaptureTrigger } from './outbox-schema';

const TableParams = Type.Object({ table: Type.String({ minLength: 1, maxLength: 200 }) });
const InstallBody = Type.Object({ operations: Type.Optional(Type.Array(Type.Union(OPERATIONS.map((op) => Type.Literal(op))), { minItems: 1 })) }, { additionalProperties: false });

/** `GET /api/v1/relay` (status) and the capture trigger per table (admin). */
export const relayRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/v1/relay', { preHandler: requireScope('admin'), schema: { tags: ['relay'], summary: 'Relay status: brokers, routes, backlog, counters, last error (admin)' } }, async () => {
    return app.relay?.status() ?? { enabled: false };
  });

  app.post<{ Params: { table: string }; Body: { operations?: Operation[] } | undefined }>(
    '/api/v1/relay/outbox/:table',
    {
      preHandler: requireScope('admin'),
      schema: { tags: ['relay'], summary: 'Capture the changes of a table into the outbox (installs its trigger) (admin)', params: TableParams, body: Type.Optional(InstallBody) },
    },
    async (request, reply) => {
      const table = await app.catalog.resolveTableFresh(request.params.table);
      if (table.kind !== 'table' && table.kind !== 'hypertable') {
        throw new ApiError(400, 'not_a_table', `"${table.name}" is a ${table.kind}: only tables and hypertables have row triggers`, { table: table.name, kind: table.kind });
      }
      await installOutboxSchema(app.db);
      const operations = request.body?.operations ?? [...OPERATIONS];
      const { key } = await installCaptureTrigger(app.db, table, operations);
      const routed = app.relay?.outboxSources.includes(table.name) ?? false;
      return reply.code(201).send({ table: table.name, operations, key, routed });
    }
  );

  app.delete<{ Params: { table: string } }>(
    '/api/v1/relay/outbox/:table',
    { preHandler: requireScope('admin'), schema: { tags: ['relay'], summary: 'Stop capturing the changes of a table (admin)', params: TableParams } },
    async (request) => {
      const table = await app.catalog.resolveTableFresh(request.params.table);
      await removeCaptureTrigger(app.db, table);
      return { table: table.name, removed: true };
    }
  );
};

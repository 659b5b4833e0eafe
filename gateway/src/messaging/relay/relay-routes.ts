import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { requireScope } from '../../auth';
import { ApiError } from '../../errors';
import { OPERATIONS, type Operation } from './config';
import { installOutboxSchema, installCaptureTrigger, removeCaptureTrigger } from './outbox-schema';

const TableParams = Type.Object({ table: Type.String({ minLength: 1, maxLength: 200 }) });

/** The body is optional (`{"operations": ["insert", …]}`), so it is checked here rather than by a schema. */
function operationsOf(body: unknown): Operation[] {
  if (body === undefined || body === null || body === '') {
    return [...OPERATIONS];
  }
  const ops = (body as { operations?: unknown }).operations;
  const extra =
    typeof body === 'object' ? Object.keys(body as object).filter((k) => k !== 'operations') : ['(not an object)'];
  if (
    extra.length > 0 ||
    (ops !== undefined &&
      (!Array.isArray(ops) || ops.length === 0 || ops.some((op) => !OPERATIONS.includes(op as Operation))))
  ) {
    throw new ApiError(
      'invalid_request',
      `The body may only hold "operations": a non-empty list of ${OPERATIONS.join(', ')}`,
      { field: 'operations', allowed: OPERATIONS }
    );
  }
  return ops === undefined ? [...OPERATIONS] : [...new Set(ops as Operation[])];
}

/** `GET /api/v1/relay` (status) and the capture trigger per table (admin). */
export const relayRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/v1/relay',
    {
      preHandler: requireScope('admin'),
      schema: { tags: ['relay'], summary: 'Relay status: brokers, routes, backlog, counters, last error (admin)' },
    },
    async () => {
      return app.relay?.status() ?? { enabled: false };
    }
  );

  app.post<{ Params: { table: string } }>(
    '/api/v1/relay/outbox/:table',
    {
      preHandler: requireScope('admin'),
      schema: {
        tags: ['relay'],
        summary: 'Capture the changes of a table into the outbox (installs its trigger) (admin)',
        params: TableParams,
      },
    },
    async (request, reply) => {
      const table = await app.catalog.resolveTableFresh(request.params.table);
      if (table.kind !== 'table' && table.kind !== 'hypertable') {
        throw new ApiError(
          'not_a_table',
          `"${table.name}" is a ${table.kind}: only tables and hypertables have row triggers`,
          { table: table.name, kind: table.kind }
        );
      }
      const operations = operationsOf(request.body);
      await installOutboxSchema(app.db);
      const { key } = await installCaptureTrigger(app.db, table, operations);
      const routed = app.relay?.outboxSources.includes(table.name) ?? false;
      return reply.code(201).send({ table: table.name, operations, key, routed });
    }
  );

  app.delete<{ Params: { table: string } }>(
    '/api/v1/relay/outbox/:table',
    {
      preHandler: requireScope('admin'),
      schema: { tags: ['relay'], summary: 'Stop capturing the changes of a table (admin)', params: TableParams },
    },
    async (request) => {
      const table = await app.catalog.resolveTableFresh(request.params.table);
      await removeCaptureTrigger(app.db, table);
      return { table: table.name, removed: true };
    }
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { assertTableAllowed, isTableAllowed, requireScope } from '../auth';
import { CatalogResponse, ColumnsResponse } from '../contract/catalog';

const TableParams = Type.Object({ table: Type.String({ minLength: 1, maxLength: 200 }) });

/** The tables a token may see, and their columns: what the plugin's pickers offer. */
export const catalogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/catalog',
    {
      preHandler: requireScope('read'),
      schema: {
        tags: ['catalog'],
        summary: 'Tables, views, hypertables and continuous aggregates',
        response: { 200: CatalogResponse },
      },
    },
    async (request) => {
      const principal = request.principal!;
      return { tables: app.catalog.list().filter((t) => isTableAllowed(principal, t.name)) };
    }
  );

  app.get(
    '/api/v1/catalog/:table/columns',
    {
      preHandler: requireScope('read'),
      schema: {
        tags: ['catalog'],
        summary: 'Columns of one table with types',
        params: TableParams,
        response: { 200: ColumnsResponse },
      },
    },
    async (request) => {
      const table = await app.catalog.resolveTableFresh(request.params.table);
      assertTableAllowed(request.principal, table.name);
      return {
        table: table.name,
        timeColumn: table.timeColumn,
        columns: table.columns.map(({ name, type, kind, nullable }) => ({ name, type, kind, nullable })),
      };
    }
  );

  app.post(
    '/api/v1/catalog/refresh',
    {
      preHandler: requireScope('admin'),
      schema: {
        tags: ['catalog'],
        summary: 'Re-read the catalog now (admin)',
        response: { 200: Type.Object({ tables: Type.Integer() }) },
      },
    },
    async () => {
      await app.catalog.refresh();
      return { tables: app.catalog.list().length };
    }
  );
};

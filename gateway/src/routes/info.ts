import type { FastifyPluginAsync } from 'fastify';
import { InfoResponse } from '../contract/info';
import { GATEWAY_VERSION } from '../version';

/** `GET /api/v1/info`: versions and the caller's token, for the data source's "Save & test". */
export const infoRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/v1/info',
    { schema: { tags: ['info'], summary: 'Gateway, database and token details', response: { 200: InfoResponse } } },
    async (request) => {
      const principal = request.principal!;
      return {
        gateway: { version: GATEWAY_VERSION },
        database: {
          driver: app.db.driver,
          postgresVersion: app.capabilities.postgresVersion,
          timescaledb: app.capabilities.timescaledb,
        },
        token: {
          name: principal.name,
          scopes: principal.scopes,
          ...(principal.tables ? { tables: principal.tables } : {}),
        },
      };
    }
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireScope } from '../auth';
import { ApiError } from '../errors';
import { readReplicationStatus } from '../replication/replication-status';
import { addMissingChunks } from '../replication/add-missing-chunks';
import { installReplicationMetrics } from '../replication/replication-metrics';

const PublicationParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 63 }) });

/** `GET /api/v1/replication` and the publication chunk action (admin), plus the replication gauges. */
export const replicationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  installReplicationMetrics(app);

  app.get(
    '/api/v1/replication',
    {
      preHandler: requireScope('admin'),
      schema: {
        tags: ['replication'],
        summary:
          'Replication status: role, standbys, slots with retained WAL, publications, subscriptions, hypertable chunks missing from publications, read replicas (admin)',
      },
    },
    async () => readReplicationStatus(app.db, app.capabilities.timescaledb !== null, app.db.replicaStatus?.())
  );

  app.post(
    '/api/v1/replication/publications/:name/chunks',
    {
      preHandler: requireScope('admin'),
      schema: {
        tags: ['replication'],
        summary: 'Add to a publication the chunks of the hypertables it names that it lacks (TimescaleDB, admin)',
        params: PublicationParams,
      },
    },
    async (request) => {
      if (app.capabilities.timescaledb === null) {
        throw new ApiError('not_supported', 'Hypertable chunks need TimescaleDB, which this database does not have', {
          publication: request.params.name,
        });
      }
      return addMissingChunks(app.db, request.params.name);
    }
  );
};

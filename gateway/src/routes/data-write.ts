import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { assertTableAllowed, requireScope } from '../auth';
import { ApiError } from '../errors';
import { parseRowsBody } from '../rest/parse-body';
import { insertRows, prepareRows } from '../rest/insert-rows';
import { streamCopyRows } from '../rest/stream-copy-rows';

const Params = Type.Object({ table: Type.String({ minLength: 1, maxLength: 200 }) });
const Inserted = Type.Object({ inserted: Type.Integer() });

const NOT_WRITABLE = new Set(['materialized_view', 'continuous_aggregate']);

/** `POST /timescaledb/data/:table`: a JSON object or array, NDJSON or CSV; all rows or none. */
export const dataWriteRoutes: FastifyPluginAsync = async (app) => {
  // Text bodies for the non-JSON shapes; JSON itself uses Fastify's parser.
  app.addContentTypeParser(['text/csv', 'application/x-ndjson', 'application/ndjson', 'application/jsonl'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body)
  );

  app.post<{ Params: { table: string } }>(
    '/timescaledb/data/:table',
    {
      preHandler: requireScope('write'),
      schema: {
        tags: ['data'],
        summary: 'Insert rows (JSON object, JSON array, NDJSON or CSV with a header row)',
        params: Params,
        response: { 201: Inserted },
      },
    },
    async (request, reply) => {
      const table = await app.catalog.resolveTableFresh(request.params.table);
      assertTableAllowed(request.principal, table.name);
      if (NOT_WRITABLE.has(table.kind)) {
        throw new ApiError(400, 'not_writable', `"${table.name}" is a ${table.kind.replace('_', ' ')} and cannot take rows`, { table: table.name });
      }
      const parsed = parseRowsBody(request.body, request.headers['content-type']);
      // Large batches first try COPY streamed while checking; null = nothing written, take the careful path.
      if (parsed.rows.length >= app.config.copyThresholdRows) {
        const copied = await streamCopyRows(app.db, table, parsed);
        if (copied !== null) return reply.status(201).send({ inserted: copied });
      }
      const prepared = prepareRows(table, parsed);
      const inserted = await insertRows(app.db, table, prepared, app.config.copyThresholdRows);
      return reply.status(201).send({ inserted });
    }
  );
};

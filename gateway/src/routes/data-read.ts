import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { assertTableAllowed, requireScope } from '../auth';
import { buildReadQuery } from '../rest/read-query';
import { contentType, formatRows, pickOutputFormat, textRowsBody } from '../rest/output-format';
import { clientAbortSignal } from '../http/client-abort-signal';
import { readsForeignData } from '../sql/foreign-pushdown';

const Params = Type.Object({ table: Type.String({ minLength: 1, maxLength: 200 }) });

/**
 * The query string has no schema (so the type provider leaves it unknown): its keys are the
 * table's own column names (filters), checked against the catalog by buildReadQuery, which
 * also parses and reports every value — a schema would only validate every read twice.
 */
type ReadQuerystring = Record<string, string | string[]>;

/** `GET /timescaledb/data/:table`: rows as JSON (the seed's array of objects), CSV or NDJSON. */
export const dataReadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/timescaledb/data/:table',
    {
      preHandler: requireScope('read'),
      schema: {
        tags: ['data'],
        summary: 'Read rows of a table, view or hypertable',
        description:
          'Query: from, to (ISO-8601 or epoch ms, on the time column, from ≤ to), columns=a,b, <column>=<op>.<value> ' +
          '(eq, neq, lt, lte, gt, gte, in.(a,b), like, is.null|notnull|true|false), order=col.desc,col2, limit, offset, ' +
          'bucket=5m&agg=avg|min|max|sum|count for time-bucketed aggregates (bucket as in the query API: 500ms, 10s, 5m, 1h, 1d, 1w, 1M, 1y ' +
          'or "15 minutes"). Accept: application/json, text/csv, application/x-ndjson.',
        params: Params,
      },
    },
    async (request, reply) => {
      const format = pickOutputFormat(request.headers.accept);
      const table = await app.catalog.resolveTableFresh(request.params.table);
      assertTableAllowed(request.principal, table.name);
      const { sql, params } = buildReadQuery(table, request.query as ReadQuerystring, {
        defaultLimit: app.config.defaultRowLimit,
        maxLimit: app.config.maxRowLimit,
        // date_bin rather than time_bucket where the rows are remote, so the bucketing is pushed there.
        timescale: app.capabilities.timescaledb !== null && !readsForeignData(table.entry),
      });
      reply.type(contentType(format));
      const signal = clientAbortSignal(reply);
      // Where the driver hands out PostgreSQL's text, rows are encoded straight from it
      // (no row objects, no Dates): same body, a fraction of the work on large reads.
      if (app.db.queryText) {
        return reply.send(
          textRowsBody(format, await app.db.queryText(sql, params, { signal, staleOk: true, prepare: true }))
        );
      }
      const result = await app.db.query(sql, params, { signal, staleOk: true, prepare: true });
      return reply.send(
        formatRows(
          format,
          result.rows,
          result.fields.map((f) => f.name)
        )
      );
    }
  );
};

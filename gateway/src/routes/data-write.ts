import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest, RawServerDefault, RouteGenericInterface } from 'fastify';
import { errorCodes } from 'fastify';
import { Type } from 'typebox';
import { assertTableAllowed, requireScope } from '../auth';
import type { ResolvedTable } from '../catalog/catalog';
import { ApiError } from '../errors';
import { mediaType, NDJSON_TYPES, parseRowsBody, type ParsedRows } from '../rest/parse-body';
import { assertJsonSyntax, readWholeBody } from '../rest/read-whole-body';
import { announceTableChange } from '../live/change-hints';
import { badValueScout, insertRows, locateCopyError, prepareRows } from '../rest/insert-rows';
import { RequestBody } from '../rest/request-body';
import { rowBatches } from '../rest/row-batches';
import { streamCopyRows } from '../rest/stream-copy-rows';
import { explainingJsonParser, syncJsonParser } from '../rest/sync-json-parser';

const Params = Type.Object({ table: Type.String({ minLength: 1, maxLength: 200 }) });
const Inserted = Type.Object({ inserted: Type.Integer() });

const NOT_WRITABLE = new Set(['materialized_view', 'continuous_aggregate']);
/** Bodies read while rows are written instead of before the handler runs. */
const STREAMED_TYPES = ['application/json', 'text/csv', ...NDJSON_TYPES];

const WriteSchema = {
  tags: ['data'],
  summary: 'Insert rows (JSON object, JSON array, NDJSON or CSV with a header row)',
  params: Params,
  response: { 201: Inserted },
} as const;

/** The route's request, typed from its schema by the type provider, as the helpers below take it. */
type WriteRequest = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  IncomingMessage,
  typeof WriteSchema,
  TypeBoxTypeProvider
>;

/**
 * `POST /timescaledb/data/:table`: a JSON object or array, NDJSON or CSV; all rows or none.
 *
 * The body is not read before the handler: on PostgreSQL, a large batch goes into COPY as
 * it arrives (see streamCopyRows). Whatever that path cannot take, and every small batch or
 * embedded database, is answered from the whole body as a body parser would have read it,
 * and errors keep the order they had when the body was parsed first: a body that is too
 * large or not JSON is reported before a missing scope or an unknown table.
 */
export const dataWriteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const bodyLimit = app.config.bodyLimit;
  const parseJson = syncJsonParser(app);
  const jsonParsers = { segment: parseJson, whole: explainingJsonParser(parseJson) };
  const checkScope = requireScope('write');

  // Only in this plugin's scope: every other route keeps Fastify's JSON parser.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(STREAMED_TYPES, (request, payload, done) => {
    // As Fastify's own reader: a declared length over the limit is refused before reading.
    if (Number(request.headers['content-length']) > bodyLimit) {
      return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined);
    }
    done(null, new RequestBody(payload, mediaType(request.headers['content-type']), bodyLimit));
  });

  /** The checks that do not need the rows: scope, table, allow-list, writability. */
  const writableTable = async (request: WriteRequest, reply: FastifyReply): Promise<ResolvedTable> => {
    await checkScope(request, reply);
    const table = await app.catalog.resolveTableFresh(request.params.table);
    assertTableAllowed(request.principal, table.name);
    if (NOT_WRITABLE.has(table.kind)) {
      throw new ApiError('not_writable', `"${table.name}" is a ${table.kind.replace('_', ' ')} and cannot take rows`, {
        table: table.name,
      });
    }
    return table;
  };

  const insertParsed = async (table: ResolvedTable, parsed: ParsedRows) => {
    const inserted = await insertRows(app.db, table, await prepareRows(table, parsed), app.config.copyThresholdRows);
    announceTableChange(app.notifications, table);
    return inserted;
  };

  async function insertStreamed(request: WriteRequest, reply: FastifyReply, body: RequestBody): Promise<number> {
    let table: ResolvedTable;
    try {
      table = await writableTable(request, reply);
    } catch (err) {
      // Errors of the body itself come first, as when it was read before the handler.
      if (body.contentType === 'application/json') {
        await assertJsonSyntax(body, jsonParsers);
      } else {
        await body.text();
      }
      throw err;
    }
    const wholeBody = () => readWholeBody(body, jsonParsers, (textValues) => badValueScout(table, textValues));
    if (app.db.copyFrom) {
      try {
        const copied = await streamCopyRows(app.db, table, rowBatches(body, parseJson), app.config.copyThresholdRows);
        if (copied !== null) {
          announceTableChange(app.notifications, table);
          return copied;
        }
      } catch (err) {
        if (err instanceof ApiError || (err as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          throw err;
        }
        // The database refused a row: a bad row later in the body is still reported first,
        // as when every row was checked before writing; else the refused one, with its row.
        throw await locateCopyError(app.db, table, err, await prepareRows(table, await wholeBody()));
      }
    }
    // Small batches, the embedded database, and whatever the streaming path did not take.
    return insertParsed(table, await wholeBody());
  }

  app.post('/timescaledb/data/:table', { schema: WriteSchema }, async (request, reply) => {
    const body = request.body;
    if (!(body instanceof RequestBody)) {
      // No body, or one another parser read (text/plain): as it is.
      const table = await writableTable(request, reply);
      const inserted = await insertParsed(table, parseRowsBody(body, request.headers['content-type']));
      return reply.status(201).send({ inserted });
    }
    try {
      const inserted = await insertStreamed(request, reply, body);
      return reply.status(201).send({ inserted });
    } catch (err) {
      // Bytes still on the way would be read as the next request: close instead, as Fastify does.
      if (!body.complete) {
        void reply.header('connection', 'close');
      }
      throw err;
    }
  });
};

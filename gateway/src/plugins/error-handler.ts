import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../contract/error-codes';
import { ApiError } from '../errors';
import { mapDatabaseError } from '../db/sqlstate';

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * One place where every failure becomes `{ error, message, details }` with the right
 * status: ApiError as thrown, Fastify's body / validation errors, PostgreSQL SQLSTATEs.
 */
export function installErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const apiError = toApiError(err, bodyLimit);
    if (apiError.statusCode >= 500) {
      request.log.error({ err }, apiError.message);
    } else {
      request.log.info({ code: apiError.code }, apiError.message);
    }
    return reply.status(apiError.statusCode).type('application/json; charset=utf-8').send(errorBody(apiError));
  });

  app.setNotFoundHandler((request, reply) => {
    const apiError = new ApiError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(apiError.statusCode).send(errorBody(apiError));
  });
}

/** The JSON body every failure answers with. */
function errorBody(apiError: ApiError): Record<string, unknown> {
  const body: Record<string, unknown> = { error: apiError.code, message: apiError.message };
  if (apiError.details !== undefined) {
    body.details = apiError.details;
  }
  return body;
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any route runs (a
 * request line or headers over the size limit, a malformed request, a request not received
 * in time) answered in the gateway's shape instead of Fastify's default one, then closed.
 */
export function clientErrorHandler(requestTimeoutMs: number, headersTimeoutMs: number) {
  return function onClientError(
    this: FastifyInstance,
    err: Error & { code?: string; reason?: string },
    socket: Socket
  ): void {
    // A reset connection has no one left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) {
      return;
    }
    const apiError = clientError(err, requestTimeoutMs, headersTimeoutMs);
    this.log.info({ code: apiError.code, reason: err.code }, apiError.message);
    // A response already under way (headers out) cannot take another one: just close.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const body = JSON.stringify(errorBody(apiError));
      socket.write(
        `HTTP/1.1 ${apiError.statusCode} ${STATUS_CODES[apiError.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
      );
    }
    socket.destroy(err);
  };
}

function clientError(
  err: Error & { code?: string; reason?: string },
  requestTimeoutMs: number,
  headersTimeoutMs: number
): ApiError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      // Node reports both limits with this one code.
      return new ApiError(
        'request_timeout',
        `The request was not received in time (headers within ${headersTimeoutMs} ms, the whole request within ${requestTimeoutMs} ms)`,
        {
          limitMs: requestTimeoutMs,
          headersLimitMs: headersTimeoutMs,
        }
      );
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        'headers_too_large',
        `The request line and headers are larger than ${maxHeaderSize} bytes: shorten the URL (long filter lists, e.g. in.(…)) or the headers`,
        { limitBytes: maxHeaderSize }
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ApiError('body_too_large', 'The chunk extensions of the request body are too large');
    default:
      return new ApiError(
        'bad_request',
        `The request is not valid HTTP: ${err.reason ?? err.message}`,
        err.code ? { reason: err.code } : undefined
      );
  }
}

/**
 * Fastify's `frameworkErrors`: the router's own refusals (a URL that does not decode, a path
 * segment over the length limit), in the gateway's shape.
 */
export function frameworkErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.raw.url?.split('?')[0] ?? '';
  let apiError: ApiError;
  if (err.code === 'FST_ERR_BAD_URL') {
    apiError = new ApiError('bad_url', `The URL path ${JSON.stringify(path)} is not valid percent-encoding`, { path });
  } else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    apiError = new ApiError('uri_too_long', 'A path segment of the URL is too long', { path: path.slice(0, 200) });
  } else {
    apiError = toApiError(err);
  }
  request.log.info({ code: apiError.code }, apiError.message);
  void reply.status(apiError.statusCode).type('application/json; charset=utf-8').send(errorBody(apiError));
}

export function toApiError(err: FastifyError | Error, bodyLimit?: number): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  const fe = err as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (fe.validation) {
    return validationError(fe.validation, fe.validationContext ?? 'request');
  }

  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(
        'body_too_large',
        `The request body is larger than the limit${bodyLimit ? ` of ${bodyLimit} bytes` : ''}`,
        bodyLimit ? { limitBytes: bodyLimit } : undefined
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('empty_body', 'The request body is empty');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', fe.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('malformed_body', fe.message);
  }
  if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new ApiError('malformed_body', `The body is not valid JSON: ${err.message}`);
  }

  const db = mapDatabaseError(err);
  if (db) {
    return db;
  }

  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return new ApiError(
      FRAMEWORK_CODE_BY_STATUS[status] ?? 'bad_request',
      err.message,
      fe.code ? { reason: fe.code } : undefined
    );
  }
  return new ApiError('internal_error', 'Internal error');
}

/**
 * A client error from Fastify or a plugin that none of the cases above names (e.g.
 * FST_ERR_CTP_INVALID_TYPE): answered with the catalogue's code for its status, the
 * framework's own code kept in `details.reason`; any other 4xx is a bad request.
 */
const FRAMEWORK_CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  404: 'not_found',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'body_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
};

function validationError(issues: ValidationIssue[], context: string): ApiError {
  const first = issues[0] ?? {};
  const missing = typeof first.params?.missingProperty === 'string' ? first.params.missingProperty : undefined;
  const requiredList = Array.isArray(first.params?.requiredProperties)
    ? (first.params.requiredProperties as string[]).join(', ')
    : undefined;
  const path = (first.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const field = [context, path, missing ?? requiredList].filter(Boolean).join('.');
  return new ApiError('invalid_request', `Invalid ${field}: ${first.message ?? 'bad value'}`, {
    field,
    errors: issues.slice(0, 10).map((i) => ({ path: i.instancePath, message: i.message })),
  });
}

import type { FastifyError, FastifyInstance } from 'fastify';
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
    if (apiError.statusCode >= 500) request.log.error({ err }, apiError.message);
    else request.log.info({ code: apiError.code }, apiError.message);
    const body: Record<string, unknown> = { error: apiError.code, message: apiError.message };
    if (apiError.details !== undefined) body.details = apiError.details;
    return reply.status(apiError.statusCode).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` });
  });
}

export function toApiError(err: FastifyError | Error, bodyLimit?: number): ApiError {
  if (err instanceof ApiError) return err;
  const fe = err as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (fe.validation) return validationError(fe.validation, fe.validationContext ?? 'request');

  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'body_too_large', `The request body is larger than the limit${bodyLimit ? ` of ${bodyLimit} bytes` : ''}`, bodyLimit ? { limitBytes: bodyLimit } : undefined);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'empty_body', 'The request body is empty');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', fe.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'malformed_body', fe.message);
  }
  if (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new ApiError(400, 'malformed_body', `The body is not valid JSON: ${err.message}`);
  }

  const db = mapDatabaseError(err);
  if (db) return db;

  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return new ApiError(status, (fe.code ?? 'bad_request').toLowerCase(), err.message);
  }
  return new ApiError(500, 'internal_error', 'Internal error');
}

function validationError(issues: ValidationIssue[], context: string): ApiError {
  const first = issues[0] ?? {};
  const missing = typeof first.params?.missingProperty === 'string' ? first.params.missingProperty : undefined;
  const requiredList = Array.isArray(first.params?.requiredProperties) ? (first.params.requiredProperties as string[]).join(', ') : undefined;
  const path = (first.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const field = [context, path, missing ?? requiredList].filter(Boolean).join('.');
  return new ApiError(400, 'invalid_request', `Invalid ${field}: ${first.message ?? 'bad value'}`, {
    field,
    errors: issues.slice(0, 10).map((i) => ({ path: i.instancePath, message: i.message })),
  });
}

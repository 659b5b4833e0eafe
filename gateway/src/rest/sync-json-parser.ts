import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors';
import type { ParseJson } from './json-array-segments';

/**
 * Fastify's own JSON body parser as a plain function: the same JSON, the same
 * prototype-poisoning checks (as the instance is configured) and the same errors
 * (empty body, invalid JSON) as on every other JSON route.
 */
export function syncJsonParser(app: FastifyInstance): ParseJson {
  const parser = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error'
  );
  return (text) => {
    let failure: Error | null = null;
    let value: unknown;
    // The parser answers through its callback, synchronously.
    parser({} as FastifyRequest, text, (err: Error | null, body?: unknown) => {
      failure = err;
      value = body;
    });
    if (failure) {
      throw failure;
    }
    return value;
  };
}

/**
 * The same parser for a whole body, with a message that says what is wrong: Fastify's
 * parser answers every refusal with one generic "not valid JSON", also for valid JSON it
 * refuses for a prototype-poisoning key. Only on failure is the text looked at again.
 */
export function explainingJsonParser(parseJson: ParseJson): ParseJson {
  return (text) => {
    try {
      return parseJson(text);
    } catch (err) {
      if ((err as { code?: string }).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') {
        throw err;
      }
      try {
        JSON.parse(text);
      } catch (syntax) {
        throw new ApiError('malformed_body', `The body is not valid JSON: ${(syntax as Error).message}`);
      }
      throw new ApiError(
        'malformed_body',
        'The body holds a "__proto__" key or a "constructor" key with a "prototype", which are refused (prototype poisoning)'
      );
    }
  };
}

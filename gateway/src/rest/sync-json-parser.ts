import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ParseJson } from './json-array-segments';

/**
 * Fastify's own JSON body parser as a plain function: the same JSON, the same
 * prototype-poisoning checks (as the instance is configured) and the same errors
 * (empty body, invalid JSON) as on every other JSON route.
 */
export function syncJsonParser(app: FastifyInstance): ParseJson {
  const parser = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  return (text) => {
    let failure: Error | null = null;
    let value: unknown;
    // The parser answers through its callback, synchronously.
    parser({} as FastifyRequest, text, (err: Error | null, body?: unknown) => {
      failure = err;
      value = body;
    });
    if (failure) throw failure;
    return value;
  };
}

import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { GatewayConfig } from '../config';
import { ApiError } from '../errors';

/** Probes are never limited: a busy client must not make its gateway look dead. */
const EXEMPT_ROUTES = new Set(['/health', '/ready']);

/**
 * Per-token request rate limit (@fastify/rate-limit): RATE_LIMIT_MAX requests per
 * RATE_LIMIT_WINDOW_MS for each token, counted by token name (every client of one token
 * shares its budget); requests without a token (public routes) are counted per client IP.
 * Over the limit: `429 rate_limited` with `Retry-After`. Off by default (RATE_LIMIT_MAX=0):
 * a Grafana data source sends every viewer's panels with one token, so a sensible limit
 * depends on the deployment.
 *
 * Counted after authentication (the limiter's hooks run after the auth hook): a request with
 * an unknown token is refused with 401 before it is counted.
 */
export async function installRateLimit(app: FastifyInstance, limit: GatewayConfig['rateLimit']): Promise<void> {
  if (limit.max === 0) {
    return;
  }
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.windowMs,
    allowList: (request) => EXEMPT_ROUTES.has(request.routeOptions.url ?? ''),
    keyGenerator: (request) => (request.principal ? `token:${request.principal.name}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        'rate_limited',
        `More than ${context.max} requests in ${context.after}: try again in ${Math.ceil(context.ttl / 1000)} s`,
        {
          limit: context.max,
          windowMs: limit.windowMs,
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        }
      ),
  });
}

import type { FastifyInstance } from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { GatewayConfig } from '../config';
import { ApiError } from '../errors';

/** Seconds a shed client is told to wait before trying again. */
const RETRY_AFTER_S = 2;

/**
 * Sheds load when the process is overloaded (@fastify/under-pressure): with the event loop
 * behind by more than PRESSURE_MAX_EVENT_LOOP_DELAY_MS (mean over its one-second sample), or
 * heap / RSS over their limits, a request gets `503 overloaded` with `Retry-After` at once
 * instead of waiting in a queue that only grows. `/health` still answers (the process is
 * alive: a liveness probe must not restart it for being busy); `/ready` is shed like the rest,
 * so a load balancer sends its traffic elsewhere meanwhile.
 */
export async function installLoadShedding(app: FastifyInstance, pressure: GatewayConfig['pressure']): Promise<void> {
  const { maxEventLoopDelayMs, maxHeapUsedBytes, maxRssBytes } = pressure;
  if (!maxEventLoopDelayMs && !maxHeapUsedBytes && !maxRssBytes) {
    return;
  }
  await app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    maxHeapUsedBytes,
    maxRssBytes,
    // A rejected promise goes to the error handler (the gateway's JSON); undefined lets the request through.
    pressureHandler: async (request, reply, type, value) => {
      if (request.routeOptions.url === '/health') {
        return;
      }
      void reply.header('retry-after', String(RETRY_AFTER_S));
      const measured =
        type === 'eventLoopDelay' ? `event-loop delay ${Math.round(value ?? 0)} ms` : `${type} ${value ?? ''}`;
      throw new ApiError('overloaded', `The gateway is overloaded (${measured}): try again in ${RETRY_AFTER_S} s`, {
        reason: type,
        retryAfterSeconds: RETRY_AFTER_S,
      });
    },
  });
}

import { once, EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Stops taking work and closes the app: new requests are answered 503 `shutting_down`,
     * idle keep-alive connections are closed, requests in flight get up to `graceMs` to finish
     * (their connections close after the answer); what is still running then has its
     * connection closed (its reads are cancelled in the database), and the app closes.
     */
    drainAndClose(graceMs: number): Promise<void>;
  }
}

/**
 * A bounded drain for shutdown. Fastify's own close stops listening at once and keeps idle
 * keep-alive sockets only until it reaps them; a connection busy at that moment goes back to
 * keep-alive after its answer and holds the process for the keep-alive timeout (72 s). Here the
 * listener stays open while draining, so a client that arrives meanwhile hears 503 JSON (and a
 * proxy can retry elsewhere) instead of a refused connection.
 */
export function installDrain(app: FastifyInstance): void {
  let draining = false;
  let inFlight = 0;
  const settled = new EventEmitter();

  app.addHook('onRequest', async (request, reply) => {
    if (draining) {
      reply.header('connection', 'close');
      throw new ApiError('shutting_down', 'The gateway is shutting down; send the request again (to another instance)');
    }
    inFlight++;
    // 'close' comes exactly once per response: sent, or its connection gone.
    reply.raw.once('close', () => {
      inFlight--;
      if (inFlight === 0) {
        settled.emit('idle');
      }
    });
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    // An answer given while draining ends its connection instead of keeping it alive.
    if (draining) {
      reply.header('connection', 'close');
    }
    return payload;
  });

  app.decorate('drainAndClose', async (graceMs: number) => {
    if (!draining) {
      draining = true;
      app.server.closeIdleConnections();
      // Live streams never finish by themselves: they end now, with the cursors their clients
      // reconnect with (to another instance), instead of holding the grace period to its end.
      if (app.hasDecorator('live')) {
        await app.live.close();
      }
      if (inFlight > 0) {
        const timer = AbortSignal.timeout(Math.max(0, graceMs));
        await once(settled, 'idle', { signal: timer }).catch(() => {
          app.log.warn(
            { inFlight, graceMs },
            'requests still running at the end of the shutdown grace period: their connections are closed'
          );
        });
      }
      // Whatever is left (past the grace, or sockets between requests) ends here.
      app.server.closeAllConnections();
    }
    await app.close();
  });
}

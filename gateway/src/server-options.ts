import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { GatewayConfig } from './config';

/**
 * The HTTP server's own limits, against slow and greedy clients. A connection that trickles
 * its headers is closed (408) after HEADERS_TIMEOUT_MS, a whole request after
 * REQUEST_TIMEOUT_MS, an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS; at most
 * MAX_CONNECTIONS are open at once (Node refuses the next ones at accept), so a crowd of
 * slow connections costs sockets and a little memory, never the event loop, and normal
 * requests keep being answered.
 */
export function serverOptions(config: GatewayConfig): Pick<
  FastifyServerOptions,
  'requestTimeout' | 'keepAliveTimeout' | 'maxRequestsPerSocket'
> & {
  http: ServerOptions;
} {
  const { requestTimeoutMs } = config;
  const { headersTimeoutMs, keepAliveTimeoutMs, maxRequestsPerSocket } = config.connections;
  // Node refuses a headers timeout above the request timeout.
  const headersTimeout = requestTimeoutMs > 0 ? Math.min(headersTimeoutMs, requestTimeoutMs) : headersTimeoutMs;
  // Overdue requests and headers are looked for on this interval (Node's default is 30 s):
  // often enough to keep the limits to within a tenth.
  const checkEvery = Math.min(
    30_000,
    Math.max(50, Math.floor(Math.min(headersTimeout, requestTimeoutMs || headersTimeout) / 10))
  );
  return {
    // A request (headers and body) must arrive within this time: a stalled upload would
    // otherwise hold its database connection and transaction until the client leaves. Node
    // takes the limits only when the server is created (set later, they are ignored).
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    maxRequestsPerSocket,
    http: { requestTimeout: requestTimeoutMs, headersTimeout, connectionsCheckingInterval: checkEvery },
  };
}

/** Applied once the server exists: the connection cap. */
export function applyConnectionCap(server: { maxConnections: number }, config: GatewayConfig): void {
  if (config.connections.maxConnections > 0) {
    server.maxConnections = config.connections.maxConnections;
  }
}

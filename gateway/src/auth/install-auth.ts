import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors';
import { findToken, type TokenEntry } from './tokens';

/**
 * Bearer-token check on every request except routes marked `config: { public: true }`
 * and CORS preflights. Sets `request.principal`; 401 for a missing or unknown token.
 */
export function installAuth(app: FastifyInstance, tokens: readonly TokenEntry[]): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') {
      return;
    }
    const config = request.routeOptions.config as { public?: boolean } | undefined;
    if (config?.public) {
      return;
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new ApiError('unauthorized', 'Missing bearer token: send "Authorization: Bearer <token>"');
    }
    const entry = findToken(tokens, match[1]);
    if (!entry) {
      throw new ApiError('unauthorized', 'Unknown token');
    }
    request.principal = {
      name: entry.name,
      scopes: [...entry.scopes],
      ...(entry.tables ? { tables: [...entry.tables] } : {}),
      ...(entry.allowExpensive ? { allowExpensive: true } : {}),
    };
  });
}

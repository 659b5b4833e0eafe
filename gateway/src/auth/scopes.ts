import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Scope } from '../contract/info';
import { ApiError } from '../errors';
import type { Principal } from './principal';

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

/** preHandler: 403 `forbidden` unless the caller's token carries the scope (admin carries all). */
export function requireScope(scope: Scope) {
  return async function checkScope(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const principal = request.principal;
    if (!principal) throw new ApiError('unauthorized', 'A bearer token is required');
    if (!hasScope(principal, scope)) {
      throw new ApiError('forbidden', `Token "${principal.name}" lacks the "${scope}" scope`, { scope, token: principal.name });
    }
  };
}

/** 403 unless the token's table allow-list (if it has one) names the table. */
export function assertTableAllowed(principal: Principal | undefined, tableName: string): void {
  if (!principal) throw new ApiError('unauthorized', 'A bearer token is required');
  if (!isTableAllowed(principal, tableName)) {
    throw new ApiError('forbidden', `Token "${principal.name}" may not access table "${tableName}"`, { table: tableName, token: principal.name });
  }
}

export function isTableAllowed(principal: Principal, tableName: string): boolean {
  if (!principal.tables) return true;
  const bare = tableName.startsWith('public.') ? tableName.slice('public.'.length) : tableName;
  return principal.tables.some((t) => t === bare || t === `public.${bare}`);
}

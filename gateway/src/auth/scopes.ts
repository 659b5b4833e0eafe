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
    if (!principal) {
      throw new ApiError('unauthorized', 'A bearer token is required');
    }
    if (!hasScope(principal, scope)) {
      throw new ApiError('forbidden', `Token "${principal.name}" lacks the "${scope}" scope`, {
        scope,
        token: principal.name,
      });
    }
  };
}

/** 403 unless the token's table allow-list (if it has one) names the table. */
export function assertTableAllowed(principal: Principal | undefined, tableName: string): void {
  if (!principal) {
    throw new ApiError('unauthorized', 'A bearer token is required');
  }
  if (!isTableAllowed(principal, tableName)) {
    throw new ApiError('forbidden', `Token "${principal.name}" may not access table "${tableName}"`, {
      table: tableName,
      token: principal.name,
    });
  }
}

export function isTableAllowed(principal: Principal, tableName: string): boolean {
  if (!principal.tables) {
    return true;
  }
  const bare = tableName.startsWith('public.') ? tableName.slice('public.'.length) : tableName;
  return principal.tables.some((t) => t === bare || t === `public.${bare}`);
}

/**
 * 403 when a query asks to bypass the cost guard (`allowExpensive`) and its token may not: only
 * admin tokens and tokens configured with allowExpensive may. Refused whether or not the guard
 * is on, so a dashboard that relies on the bypass fails the same way before and after an
 * operator sets QUERY_MAX_COST / QUERY_MAX_ROWS_SCANNED.
 */
export function assertMayRunExpensive(principal: Principal, refId: string): void {
  if (principal.allowExpensive || principal.scopes.includes('admin')) {
    return;
  }
  throw new ApiError(
    'forbidden',
    `Query ${refId}: token "${principal.name}" may not set "allowExpensive" (the cost guard's bypass). Remove the option from the query, ` +
      `or grant the token allowExpensive (GATEWAY_EXPENSIVE_TOKENS, or "allowExpensive": true in GATEWAY_TOKENS_FILE)`,
    { refId, token: principal.name, option: 'allowExpensive' }
  );
}

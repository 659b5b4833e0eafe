export type { Principal } from './principal';
export { requireScope, assertTableAllowed, assertMayRunExpensive, hasScope, isTableAllowed } from './scopes';
export { installAuth } from './install-auth';
export { hashToken, findToken, parseTokenList, parseTokensFile, type TokenEntry } from './tokens';
export { loadOrCreateDemoToken } from './demo-token';

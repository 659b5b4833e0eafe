import { createHash, timingSafeEqual } from 'node:crypto';
import type { Scope } from '../contract/info';
import { ConfigError } from '../config-error';

/** A configured token. Only the SHA-256 of the secret is kept in memory. */
export interface TokenEntry {
  name: string;
  sha256: string;
  scopes: Scope[];
  /** When present, the token may only touch these tables (catalog names). */
  tables?: string[];
  /** The token may set `allowExpensive` on a query (bypass the cost guard); admin tokens always may. */
  allowExpensive?: boolean;
}

const SCOPES: readonly Scope[] = ['read', 'sql', 'write', 'admin'];

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** `name:secret:scope1,scope2[:table1,table2]` entries separated by `;`. */
export function parseTokenList(text: string): TokenEntry[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const parts = entry.split(':');
      if (parts.length < 3 || parts.length > 4) {
        throw new ConfigError(`GATEWAY_TOKENS entry ${i + 1} must look like name:secret:scope1,scope2[:table1,table2]`);
      }
      const [name, secret, scopes, tables] = parts;
      return makeEntry(
        `GATEWAY_TOKENS entry ${i + 1}`,
        name,
        hashSecret(`GATEWAY_TOKENS entry ${i + 1}`, secret),
        splitList(scopes),
        tables === undefined ? undefined : splitList(tables)
      );
    });
}

/** JSON array of `{ name, token | sha256, scopes, tables?, allowExpensive? }`. */
export function parseTokensFile(json: string): TokenEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new ConfigError(`GATEWAY_TOKENS_FILE is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new ConfigError('GATEWAY_TOKENS_FILE must hold a JSON array of tokens');
  }
  return data.map((item, i) => {
    const where = `GATEWAY_TOKENS_FILE entry ${i + 1}`;
    if (!item || typeof item !== 'object') {
      throw new ConfigError(`${where} must be an object`);
    }
    const { name, token, sha256, scopes, tables, allowExpensive } = item as Record<string, unknown>;
    if (typeof name !== 'string') {
      throw new ConfigError(`${where} needs a "name"`);
    }
    let hash: string;
    if (typeof sha256 === 'string' && /^[0-9a-f]{64}$/i.test(sha256)) {
      hash = sha256.toLowerCase();
    } else if (typeof token === 'string') {
      hash = hashSecret(where, token);
    } else {
      throw new ConfigError(`${where} needs "token" (the secret) or "sha256" (64 hex digits of its SHA-256)`);
    }
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
      throw new ConfigError(`${where} needs "scopes": an array of strings`);
    }
    if (tables !== undefined && (!Array.isArray(tables) || !tables.every((t) => typeof t === 'string'))) {
      throw new ConfigError(`${where}: "tables" must be an array of table names`);
    }
    if (allowExpensive !== undefined && typeof allowExpensive !== 'boolean') {
      throw new ConfigError(`${where}: "allowExpensive" must be true or false`);
    }
    const entry = makeEntry(where, name, hash, scopes as string[], tables as string[] | undefined);
    return allowExpensive ? { ...entry, allowExpensive: true } : entry;
  });
}

function hashSecret(where: string, secret: string): string {
  if (secret.length < 8) {
    throw new ConfigError(`${where}: the secret must be at least 8 characters`);
  }
  return hashToken(secret);
}

function makeEntry(where: string, name: string, sha256: string, scopes: string[], tables?: string[]): TokenEntry {
  if (!/^[\w.-]{1,64}$/.test(name)) {
    throw new ConfigError(`${where}: name must be 1–64 letters, digits, _ . -`);
  }
  if (scopes.length === 0) {
    throw new ConfigError(`${where}: at least one scope is needed (${SCOPES.join(', ')})`);
  }
  for (const s of scopes) {
    if (!SCOPES.includes(s as Scope)) {
      throw new ConfigError(`${where}: unknown scope "${s}" (use ${SCOPES.join(', ')})`);
    }
  }
  return { name, sha256, scopes: scopes as Scope[], ...(tables ? { tables } : {}) };
}

/**
 * GATEWAY_EXPENSIVE_TOKENS: names of configured tokens that may set `allowExpensive` (the
 * `name:secret:scopes` list has no room for a flag). A name that matches no token is a
 * configuration error, so a typo never silently leaves a token without the permission.
 */
export function grantExpensive(entries: TokenEntry[], names: string): TokenEntry[] {
  const granted = new Set(splitList(names));
  for (const name of granted) {
    if (!entries.some((e) => e.name === name)) {
      throw new ConfigError(`GATEWAY_EXPENSIVE_TOKENS names "${name}", which is not a configured token`);
    }
  }
  return entries.map((e) => (granted.has(e.name) ? { ...e, allowExpensive: true } : e));
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The entry whose hash matches the presented secret. Every entry is compared, each in
 * constant time, so the answer takes as long for a near miss as for a far one.
 */
export function findToken(entries: readonly TokenEntry[], presented: string): TokenEntry | undefined {
  const digest = Buffer.from(hashToken(presented), 'hex');
  let found: TokenEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(digest, Buffer.from(entry.sha256, 'hex')) && !found) {
      found = entry;
    }
  }
  return found;
}

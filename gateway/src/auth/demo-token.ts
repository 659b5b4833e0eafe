import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMemoryDataDir } from '../open-db';

/**
 * The demo token: random, made on first start and kept in DATA_DIR/demo-token so it
 * survives restarts (readable by the owner only). In-memory data dirs get a fresh one.
 */
export function loadOrCreateDemoToken(dataDir: string): string {
  if (isMemoryDataDir(dataDir)) {
    return newToken();
  }
  const file = join(dataDir, 'demo-token');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 16) {
      return existing;
    }
  } catch {
    // first start
  }
  mkdirSync(dataDir, { recursive: true });
  const token = newToken();
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

function newToken(): string {
  return 'demo_' + randomBytes(24).toString('base64url');
}

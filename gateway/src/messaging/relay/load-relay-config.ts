import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../../config-error';
import { parseRelayConfig, type RelayConfig } from './config';

/** Reads the messaging config file (MESSAGING_CONFIG) and returns its `relay:` section, or null without one. */
export function loadRelayConfig(path: string): RelayConfig | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`MESSAGING_CONFIG ${path} cannot be read: ${(err as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) throw new ConfigError(`${path}: ${doc.errors[0].message}`);
  const relay = doc.get('relay', true);
  return relay ? parseRelayConfig(relay as never, lineCounter, path) : null;
}

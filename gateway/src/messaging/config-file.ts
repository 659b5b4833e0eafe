import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../config-error';
import { ConfigNode } from './config-node';
import { parseBrokerEntries, type NamedBroker } from './brokers/broker-entries';
import { parseIngestSection, type IngestSourceConfig } from './ingest/ingest-config';
import { parseRelaySection, type RelayConfig } from './relay/config';

/**
 * The messaging config file (`MESSAGING_CONFIG` / `--messaging-config`): one YAML file with
 * `brokers:` (name → URL, brokers/broker-entries.ts), `ingest:` (brokers → tables,
 * ingest/ingest-config.ts) and `relay:` (the outbox → brokers, relay/config.ts). Ingest
 * sources and relay routes refer to the same named brokers. Any other top-level key, a YAML
 * syntax error or a bad setting refuses the start with a message naming the file and the line.
 */
export interface MessagingConfig {
  ingest: IngestSourceConfig[];
  /** The `relay:` section (table changes → brokers, relay/config.ts); null without one. */
  relay: RelayConfig | null;
}

const TOP_LEVEL_KEYS = ['brokers', 'ingest', 'relay'] as const;

export function readMessagingConfig(path: string): MessagingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`MESSAGING_CONFIG ${path} cannot be read: ${(err as Error).message}`);
  }
  return parseMessagingConfig(text, basename(path));
}

export function parseMessagingConfig(text: string, fileName: string): MessagingConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem) {
    const { line } = lines.linePos(problem.pos[0]);
    throw new ConfigError(`${fileName} line ${line}: ${problem.message.split('\n')[0]}`);
  }
  const root = new ConfigNode(fileName, lines, doc.contents, '', 0);
  if (!root.present) {
    return { ingest: [], relay: null };
  }
  for (const [key, node] of root.entries()) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      throw node.error(`unknown top-level key (known: ${TOP_LEVEL_KEYS.join(', ')})`);
    }
  }
  const ingest = root.get('ingest');
  const relay = root.get('relay');
  // Every name first, so a source or route may refer to a broker defined further down.
  const brokers = new Map<string, NamedBroker>();
  if (root.get('brokers').present) {
    parseBrokerEntries(root.get('brokers'), brokers);
  }
  if (relay.present && relay.isMap() && relay.get('brokers').present) {
    parseBrokerEntries(relay.get('brokers'), brokers);
  }
  return {
    ingest: ingest.present ? parseIngestSection(ingest, brokers) : [],
    relay: relay.present ? parseRelaySection(relay, brokers) : null,
  };
}

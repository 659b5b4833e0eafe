import type { ConfigNode } from '../config-node';
import { BROKER_KINDS, parseBrokerUrl, type BrokerKind } from '../brokers/broker-url';
import { namedBroker, type NamedBroker } from '../brokers/broker-entries';

/** Where a message's id comes from: what makes a redelivered message be stored once. */
export type MessageIdSource =
  | { from: 'broker' }
  | { from: 'none' }
  /** A top-level field of a JSON object message. */
  | { from: 'field'; name: string }
  /** A header / user property / stream-entry field of the message. */
  | { from: 'header'; name: string };

export interface JsonDecoderConfig {
  format: 'json';
  /** Dotted path to the array of rows inside an object message; unset → the message is a row or an array of rows. */
  rows?: string;
  /** column → dotted field path in a row; unset → the row's own keys are the columns. */
  fields?: Record<string, string>;
  /** column → value for rows that lack it. */
  defaults: Record<string, unknown>;
}

export interface LineProtocolDecoderConfig {
  format: 'line-protocol';
  /** Column the timestamp goes to. */
  timeColumn: string;
  /** Unit of the timestamps (InfluxDB's `precision`). */
  precision: 'ns' | 'us' | 'ms' | 's';
  /** Column the measurement name goes to; unset → dropped. */
  measurementColumn?: string;
  /** column → tag or field key; unset → keys as columns. */
  fields?: Record<string, string>;
  defaults: Record<string, unknown>;
}

export interface CsvDecoderConfig {
  format: 'csv';
  /** The columns of every line; unset → each message's first line is its header. */
  columns?: string[];
  /** One character between fields. */
  delimiter: string;
  /** column → CSV column name; unset → the CSV's names are the columns. */
  fields?: Record<string, string>;
  defaults: Record<string, unknown>;
}

export type DecoderConfig = JsonDecoderConfig | LineProtocolDecoderConfig | CsvDecoderConfig;

export interface IngestSourceConfig {
  name: string;
  /** The kind of broker (from the named broker's URL, or given inline beside `url:`). */
  broker: BrokerKind;
  /** Broker URL (Kafka: comma list of host:port after kafka://). */
  url: string;
  /** The entry under `brokers:` the source names; null for an inline `broker:` + `url:`. */
  brokerName: string | null;
  /** MQTT topic filter, Kafka topic. */
  topic?: string;
  /** NATS subject filter of the consumer. */
  subject?: string;
  /** AMQP queue. */
  queue?: string;
  /** NATS JetStream stream or Redis stream key. */
  stream?: string;
  /** Consumer group: MQTT shared subscription, NATS durable, Redis group, Kafka group id. */
  group?: string;
  /** MQTT client id / Redis consumer name base; the gateway adds its instance name. */
  clientId?: string;
  table: string;
  /** `messaging.yaml line 7: ingest[0].table`, for errors found once the catalog is read. */
  tableAt: string;
  decoder: DecoderConfig;
  messageId: MessageIdSource;
  /** Rows per database write, and the longest a row waits for its batch. */
  batchRows: number;
  batchWaitMs: number;
  /** Messages received but not yet acknowledged, at most (prefetch / receive maximum / fetch size). */
  maxInFlight: number;
  /** Redis: the entry field holding the payload. */
  payloadField: string;
  /** How long message ids are kept for duplicate detection. */
  dedupeRetentionHours: number;
}

const SOURCE_KEYS = [
  'name',
  'broker',
  'url',
  'topic',
  'subject',
  'queue',
  'stream',
  'group',
  'clientId',
  'table',
  'decoder',
  'messageId',
  'batch',
  'maxInFlight',
  'payloadField',
  'dedupeRetentionHours',
] as const;

/** Which of topic / subject / queue / stream / group each broker needs. */
const NEEDS: Record<
  BrokerKind,
  { required: Array<keyof IngestSourceConfig>; allowed: Array<keyof IngestSourceConfig> }
> = {
  mqtt: { required: ['topic'], allowed: ['topic', 'group', 'clientId'] },
  nats: { required: ['stream', 'group'], allowed: ['stream', 'group', 'subject'] },
  amqp: { required: ['queue'], allowed: ['queue'] },
  redis: { required: ['stream', 'group'], allowed: ['stream', 'group', 'clientId', 'payloadField'] },
  kafka: { required: ['topic', 'group'], allowed: ['topic', 'group', 'clientId'] },
};

/** Message ids each broker can supply itself (MQTT has none that survives a redelivery). */
const HAS_BROKER_ID: Record<BrokerKind, boolean> = { mqtt: false, nats: true, amqp: true, redis: true, kafka: true };

/**
 * The `ingest:` section: a list of sources. Throws ConfigError naming the line. A source names
 * its broker either as an entry of `brokers` (`broker: rabbit`) or inline (`broker: amqp`
 * with `url:`).
 */
export function parseIngestSection(
  section: ConfigNode,
  brokers: ReadonlyMap<string, NamedBroker> = new Map()
): IngestSourceConfig[] {
  const names = new Set<string>();
  return section.items().map((item) => {
    const source = parseSource(item, brokers);
    if (names.has(source.name)) {
      throw item.get('name').error(`source name "${source.name}" is used twice`);
    }
    names.add(source.name);
    return source;
  });
}

function parseSource(node: ConfigNode, brokers: ReadonlyMap<string, NamedBroker>): IngestSourceConfig {
  node.onlyKeys(SOURCE_KEYS);
  const nameNode = node.get('name').required();
  const name = nameNode.string();
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
    throw nameNode.error('use letters, digits, ".", "_" or "-" (at most 100)');
  }
  const { broker, url, named } = sourceBroker(node, brokers);
  const need = NEEDS[broker];
  // With a named broker, a setting of another kind most likely means the wrong name: say which kind it is.
  const whose = named ? ` (broker "${named.name}" is ${broker}: ${named.definedAt})` : '';

  const text = (key: keyof IngestSourceConfig) => {
    const child = node.get(key);
    if (child.present && !need.allowed.includes(key)) {
      throw child.error(`is not a setting of a ${broker} source${whose}`);
    }
    if (!child.present && need.required.includes(key)) {
      throw child.error(`is required for a ${broker} source${whose}`);
    }
    return child.optionalString();
  };
  const batch = node.get('batch');
  if (batch.present) {
    batch.onlyKeys(['rows', 'waitMs']);
  }
  const messageId = parseMessageId(node.get('messageId'), broker);
  return {
    name,
    broker,
    url,
    brokerName: named?.name ?? null,
    topic: text('topic'),
    subject: text('subject'),
    queue: text('queue'),
    stream: text('stream'),
    group: text('group'),
    clientId: text('clientId'),
    table: node.get('table').required().string(),
    tableAt: node.get('table').error('').message.replace(/: $/, ''),
    decoder: parseDecoder(node.get('decoder')),
    messageId,
    batchRows: batch.present ? batch.get('rows').integer(1000, 1, 100_000) : 1000,
    batchWaitMs: batch.present ? batch.get('waitMs').integer(200, 1, 60_000) : 200,
    maxInFlight: node.get('maxInFlight').integer(1000, 1, 65_535),
    payloadField: text('payloadField') ?? 'payload',
    dedupeRetentionHours: node.get('dedupeRetentionHours').integer(168, 1, 24 * 366),
  };
}

/** `broker: <name>` of `brokers`, or the inline `broker: <kind>` + `url:`. */
function sourceBroker(
  node: ConfigNode,
  brokers: ReadonlyMap<string, NamedBroker>
): { broker: BrokerKind; url: string; named: NamedBroker | null } {
  const brokerNode = node.get('broker');
  const urlNode = node.get('url');
  if (!urlNode.present) {
    const ref = brokerNode.required().string();
    if (!brokers.has(ref) && (BROKER_KINDS as readonly string[]).includes(ref)) {
      throw brokerNode.error(
        `"${ref}" is a kind of broker: give its url: beside it, or name an entry of brokers: instead`
      );
    }
    const named = namedBroker(brokerNode, brokers);
    return { broker: named.kind, url: named.url, named };
  }
  if (
    brokers.has(brokerNode.optionalString() ?? '') &&
    !(BROKER_KINDS as readonly string[]).includes(brokerNode.string())
  ) {
    throw urlNode.error(`broker "${brokerNode.string()}" is an entry of brokers: with its own URL; drop url: here`);
  }
  const broker = brokerNode.oneOf(BROKER_KINDS);
  const url = urlNode.string();
  try {
    parseBrokerUrl(url, broker);
  } catch (err) {
    throw urlNode.error((err as Error).message);
  }
  return { broker, url, named: null };
}

function parseMessageId(node: ConfigNode, broker: BrokerKind): MessageIdSource {
  if (!node.present) {
    return HAS_BROKER_ID[broker] ? { from: 'broker' } : { from: 'none' };
  }
  if (!node.isMap()) {
    const v = node.oneOf(['broker', 'none'] as const);
    if (v === 'broker' && !HAS_BROKER_ID[broker]) {
      throw node.error(
        `${broker} gives no message id that survives a redelivery: use { field: <name> } or { header: <name> }, or none`
      );
    }
    return { from: v };
  }
  node.onlyKeys(['field', 'header']);
  const field = node.get('field').optionalString();
  const header = node.get('header').optionalString();
  if ((field === undefined) === (header === undefined)) {
    throw node.error('give exactly one of field or header');
  }
  return field !== undefined ? { from: 'field', name: field } : { from: 'header', name: header! };
}

function parseDecoder(node: ConfigNode): DecoderConfig {
  if (!node.present) {
    return { format: 'json', defaults: {} };
  }
  const format = node.get('format').oneOf(['json', 'line-protocol', 'csv'] as const, 'json');
  const fields = parseFieldMap(node.get('fields'));
  const defaults = node.get('defaults');
  if (defaults.present && !defaults.isMap()) {
    throw defaults.error('expected a mapping of column: value');
  }
  const defaultValues = defaults.present ? (defaults.value() as Record<string, unknown>) : {};
  if (format === 'json') {
    node.onlyKeys(['format', 'rows', 'fields', 'defaults']);
    return { format, rows: node.get('rows').optionalString(), fields, defaults: defaultValues };
  }
  if (format === 'csv') {
    node.onlyKeys(['format', 'columns', 'delimiter', 'fields', 'defaults']);
    return {
      format,
      columns: parseColumnList(node.get('columns')),
      delimiter: parseDelimiter(node.get('delimiter')),
      fields,
      defaults: defaultValues,
    };
  }
  node.onlyKeys(['format', 'timeColumn', 'precision', 'measurementColumn', 'fields', 'defaults']);
  return {
    format,
    timeColumn: node.get('timeColumn').optionalString() ?? 'time',
    precision: node.get('precision').oneOf(['ns', 'us', 'ms', 's'] as const, 'ns'),
    measurementColumn: node.get('measurementColumn').optionalString(),
    fields,
    defaults: defaultValues,
  };
}

function parseColumnList(node: ConfigNode): string[] | undefined {
  if (!node.present) {
    return undefined;
  }
  const v = node.value();
  if (!Array.isArray(v) || v.length === 0 || v.some((c) => typeof c !== 'string' || c === '')) {
    throw node.error('expected a list of column names');
  }
  return v as string[];
}

function parseDelimiter(node: ConfigNode): string {
  const d = node.optionalString() ?? ',';
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw node.error(`expected one character other than a quote or a line break, got ${JSON.stringify(d)}`);
  }
  return d;
}

function parseFieldMap(node: ConfigNode): Record<string, string> | undefined {
  if (!node.present) {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [column, child] of node.entries()) {
    out[column] = child.string();
  }
  return out;
}

import type { ConfigNode } from '../config-node';

export const BROKERS = ['mqtt', 'nats', 'amqp', 'redis', 'kafka'] as const;
export type BrokerKind = (typeof BROKERS)[number];

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

export type DecoderConfig = JsonDecoderConfig | LineProtocolDecoderConfig;

export interface IngestSourceConfig {
  name: string;
  broker: BrokerKind;
  /** Broker URL (Kafka: comma list of host:port after kafka://). */
  url: string;
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

const SOURCE_KEYS = ['name', 'broker', 'url', 'topic', 'subject', 'queue', 'stream', 'group', 'clientId', 'table', 'decoder', 'messageId', 'batch', 'maxInFlight', 'payloadField', 'dedupeRetentionHours'] as const;

/** Which of topic / subject / queue / stream / group each broker needs. */
const NEEDS: Record<BrokerKind, { required: (keyof IngestSourceConfig)[]; allowed: (keyof IngestSourceConfig)[]; schemes: string[] }> = {
  mqtt: { required: ['topic'], allowed: ['topic', 'group', 'clientId'], schemes: ['mqtt:', 'mqtts:', 'ws:', 'wss:'] },
  nats: { required: ['stream', 'group'], allowed: ['stream', 'group', 'subject'], schemes: ['nats:', 'tls:'] },
  amqp: { required: ['queue'], allowed: ['queue'], schemes: ['amqp:', 'amqps:'] },
  redis: { required: ['stream', 'group'], allowed: ['stream', 'group', 'clientId', 'payloadField'], schemes: ['redis:', 'rediss:'] },
  kafka: { required: ['topic', 'group'], allowed: ['topic', 'group', 'clientId'], schemes: ['kafka:'] },
};

/** Message ids each broker can supply itself (MQTT has none that survives a redelivery). */
const HAS_BROKER_ID: Record<BrokerKind, boolean> = { mqtt: false, nats: true, amqp: true, redis: true, kafka: true };

/** The `ingest:` section: a list of sources. Throws ConfigError naming the line. */
export function parseIngestSection(section: ConfigNode): IngestSourceConfig[] {
  const names = new Set<string>();
  return section.items().map((item) => {
    const source = parseSource(item);
    if (names.has(source.name)) throw item.get('name').error(`source name "${source.name}" is used twice`);
    names.add(source.name);
    return source;
  });
}

function parseSource(node: ConfigNode): IngestSourceConfig {
  node.onlyKeys(SOURCE_KEYS);
  const nameNode = node.get('name').required();
  const name = nameNode.string();
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw nameNode.error('use letters, digits, ".", "_" or "-" (at most 100)');
  const broker = node.get('broker').oneOf(BROKERS);
  const urlNode = node.get('url').required();
  const url = urlNode.string();
  let scheme: string;
  try {
    // A Kafka URL lists several brokers (kafka://a:9092,b:9092), which is no WHATWG URL.
    scheme = broker === 'kafka' && url.startsWith('kafka://') ? 'kafka:' : new URL(url).protocol;
  } catch {
    throw urlNode.error(`"${url}" is not a URL`);
  }
  const need = NEEDS[broker];
  if (!need.schemes.includes(scheme)) throw urlNode.error(`a ${broker} URL starts with ${need.schemes.map((s) => `${s}//`).join(' or ')}`);

  const text = (key: keyof IngestSourceConfig) => {
    const child = node.get(key);
    if (child.present && !need.allowed.includes(key)) throw child.error(`is not a setting of a ${broker} source`);
    if (!child.present && need.required.includes(key)) throw child.error(`is required for a ${broker} source`);
    return child.optionalString();
  };
  const batch = node.get('batch');
  if (batch.present) batch.onlyKeys(['rows', 'waitMs']);
  const messageId = parseMessageId(node.get('messageId'), broker);
  return {
    name,
    broker,
    url,
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

function parseMessageId(node: ConfigNode, broker: BrokerKind): MessageIdSource {
  if (!node.present) return HAS_BROKER_ID[broker] ? { from: 'broker' } : { from: 'none' };
  if (!node.isMap()) {
    const v = node.oneOf(['broker', 'none'] as const);
    if (v === 'broker' && !HAS_BROKER_ID[broker]) throw node.error(`${broker} gives no message id that survives a redelivery: use { field: <name> } or { header: <name> }, or none`);
    return { from: v };
  }
  node.onlyKeys(['field', 'header']);
  const field = node.get('field').optionalString();
  const header = node.get('header').optionalString();
  if ((field === undefined) === (header === undefined)) throw node.error('give exactly one of field or header');
  return field !== undefined ? { from: 'field', name: field } : { from: 'header', name: header! };
}

function parseDecoder(node: ConfigNode): DecoderConfig {
  if (!node.present) return { format: 'json', defaults: {} };
  const format = node.get('format').oneOf(['json', 'line-protocol'] as const, 'json');
  const fields = parseFieldMap(node.get('fields'));
  const defaults = node.get('defaults');
  if (defaults.present && !defaults.isMap()) throw defaults.error('expected a mapping of column: value');
  const defaultValues = defaults.present ? (defaults.value() as Record<string, unknown>) : {};
  if (format === 'json') {
    node.onlyKeys(['format', 'rows', 'fields', 'defaults']);
    return { format, rows: node.get('rows').optionalString(), fields, defaults: defaultValues };
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

function parseFieldMap(node: ConfigNode): Record<string, string> | undefined {
  if (!node.present) return undefined;
  const out: Record<string, string> = {};
  for (const [column, child] of node.entries()) out[column] = child.string();
  return out;
}

/** The brokers the gateway speaks to: ingest reads from all of them, the relay publishes to all but Kafka. */
export const BROKER_KINDS = ['mqtt', 'nats', 'amqp', 'redis', 'kafka'] as const;
export type BrokerKind = (typeof BROKER_KINDS)[number];

/** A broker's address from the messaging config: which client speaks to it, and the URL it takes. */
export interface BrokerUrl {
  kind: BrokerKind;
  /** As written: the clients take it whole (credentials, vhost, database number, TLS scheme). */
  url: string;
  /** The URL without its password, for logs and the status endpoint. */
  redacted: string;
}

/** The URL schemes of each kind (MQTT also over WebSocket). */
export const SCHEMES_OF_KIND: Record<BrokerKind, readonly string[]> = {
  amqp: ['amqp:', 'amqps:'],
  redis: ['redis:', 'rediss:'],
  nats: ['nats:', 'tls:'],
  mqtt: ['mqtt:', 'mqtts:', 'ws:', 'wss:'],
  kafka: ['kafka:'],
};

const KIND_OF_SCHEME = new Map<string, BrokerKind>(
  BROKER_KINDS.flatMap((kind) => SCHEMES_OF_KIND[kind].map((scheme) => [scheme, kind] as const))
);
const EXAMPLES =
  'e.g. amqp://user:pass@host:5672, redis://host:6379, nats://host:4222, mqtt://host:1883, kafka://host1:9092,host2:9092';

/**
 * Reads a broker URL; the scheme says the kind. `expected` (an inline ingest source's
 * `broker:`) refuses a URL of another kind. Throws an Error whose message names the problem.
 */
export function parseBrokerUrl(text: string, expected?: BrokerKind): BrokerUrl {
  // A Kafka URL lists several brokers (kafka://a:9092,b:9092), which is no WHATWG URL.
  if (text.startsWith('kafka://')) {
    return checkKind(parseKafkaUrl(text), expected);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL (${EXAMPLES})`);
  }
  if (expected && !SCHEMES_OF_KIND[expected].includes(url.protocol)) {
    throw kindMismatch(expected);
  }
  const kind = KIND_OF_SCHEME.get(url.protocol);
  if (!kind) {
    throw new Error(`unknown broker scheme "${url.protocol}" (use one of ${[...KIND_OF_SCHEME.keys()].join(' ')})`);
  }
  if (!url.hostname) {
    throw new Error(`"${redact(url)}" has no host`);
  }
  return { kind, url: text, redacted: redact(url) };
}

function parseKafkaUrl(text: string): BrokerUrl {
  const hosts = text.slice('kafka://'.length).replace(/\/.*$/, '');
  // The port may be left out: each broker then answers on Kafka's 9092 (kafkaBrokers()).
  if (!hosts || hosts.split(',').some((h) => !/^[^\s,:/]+(:\d{1,5})?$/.test(h))) {
    throw new Error(`"${text}" is not a list of Kafka brokers (kafka://host1:9092,host2:9092)`);
  }
  return { kind: 'kafka', url: text, redacted: text };
}

function checkKind(broker: BrokerUrl, expected: BrokerKind | undefined): BrokerUrl {
  if (expected && broker.kind !== expected) {
    throw kindMismatch(expected);
  }
  return broker;
}

const kindMismatch = (expected: BrokerKind) =>
  new Error(`a ${expected} URL starts with ${SCHEMES_OF_KIND[expected].map((s) => `${s}//`).join(' or ')}`);

function redact(url: URL): string {
  if (!url.password) {
    return url.toString();
  }
  const copy = new URL(url.toString());
  copy.password = '***';
  return copy.toString();
}

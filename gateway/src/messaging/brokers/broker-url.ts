/** A broker's address from the messaging config: which client speaks to it, and the URL it takes. */
export type BrokerKind = 'amqp' | 'redis' | 'nats' | 'mqtt';

export interface BrokerUrl {
  kind: BrokerKind;
  /** As written: the clients take it whole (credentials, vhost, database number, TLS scheme). */
  url: string;
  /** The URL without its password, for logs and the status endpoint. */
  redacted: string;
}

const KIND_OF_SCHEME: Record<string, BrokerKind> = {
  'amqp:': 'amqp',
  'amqps:': 'amqp',
  'redis:': 'redis',
  'rediss:': 'redis',
  'nats:': 'nats',
  'tls:': 'nats',
  'mqtt:': 'mqtt',
  'mqtts:': 'mqtt',
};

export function parseBrokerUrl(text: string): BrokerUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL (e.g. amqp://user:pass@host:5672, redis://host:6379, nats://host:4222, mqtt://host:1883)`);
  }
  const kind = KIND_OF_SCHEME[url.protocol];
  if (!kind) throw new Error(`unknown broker scheme "${url.protocol}" (use one of ${Object.keys(KIND_OF_SCHEME).join(' ')})`);
  if (!url.hostname) throw new Error(`"${redact(url)}" has no host`);
  return { kind, url: text, redacted: redact(url) };
}

function redact(url: URL): string {
  if (!url.password) return url.toString();
  const copy = new URL(url.toString());
  copy.password = '***';
  return copy.toString();
}

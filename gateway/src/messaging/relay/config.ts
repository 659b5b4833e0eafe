import type { ConfigNode } from '../config-node';
import type { BrokerKind, BrokerUrl } from '../brokers/broker-url';
import { namedBroker, type NamedBroker } from '../brokers/broker-entries';

/**
 * The `relay:` section of the messaging config file: where table changes go.
 *
 *   brokers:                          # name → URL; the scheme says which broker (shared with ingest:)
 *     rabbit: amqp://guest:guest@127.0.0.1:5672
 *   relay:
 *     notify:                         # NOTIFY channel → destination (at-most-once)
 *       - channel: sales_data_channel
 *         to: { broker: rabbit, exchange: sales, routingKey: sales.new }
 *     outbox:                         # the reliable path (at-least-once)
 *       batchSize: 500
 *       tables:
 *         - table: sales_data
 *           operations: [insert]      # insert | update | delete | truncate (default: the first three)
 *           where: { column: quantity, op: gt, value: 0 }
 *           format: row                 # row (the JSON object) | envelope
 *           to: { broker: rabbit, exchange: '', routingKey: sales }
 *
 * Every error names the line in the file and the key path. `relay.brokers:` is still read,
 * as more names of the same set.
 */

export type Destination =
  | { broker: string; kind: 'amqp'; exchange: string; routingKey: string }
  | { broker: string; kind: 'redis-stream'; stream: string; maxLen: number }
  | { broker: string; kind: 'redis-channel'; channel: string }
  | { broker: string; kind: 'nats'; subject: string; jetstream: boolean }
  | { broker: string; kind: 'mqtt'; topic: string; qos: 0 | 1 | 2 };

export const OPERATIONS = ['insert', 'update', 'delete', 'truncate'] as const;
export type Operation = (typeof OPERATIONS)[number];
/** What a route captures when it names no operations: the row changes (a TRUNCATE is opt-in). */
export const DEFAULT_OPERATIONS: readonly Operation[] = ['insert', 'update', 'delete'];

export const CONDITION_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'is_null', 'not_null'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface ColumnCondition {
  column: string;
  op: ConditionOp;
  value?: unknown;
}

export type MessageFormat = 'row' | 'envelope';

export interface NotifyRoute {
  channel: string;
  to: Destination;
}

export interface OutboxRoute {
  /** As written in the file (`name` or `schema.name`); resolved against the catalog at start. */
  table: string;
  operations: Operation[];
  where?: ColumnCondition;
  format: MessageFormat;
  to: Destination;
}

export interface OutboxSettings {
  batchSize: number;
  /** Look at the outbox this often even without a notification (lost NOTIFY, embedded worker restart). */
  pollIntervalMs: number;
  /** Longest wait for the broker to confirm one batch. */
  publishTimeoutMs: number;
  /** Backlog cap: undelivered rows beyond it (oldest first) are dropped with an error log line. */
  maxBacklogRows: number;
  /** Backlog cap by age, seconds; 0 = none. */
  maxBacklogAgeSeconds: number;
  /** Install the capture trigger on each configured table at start. */
  installTriggers: boolean;
  tables: OutboxRoute[];
}

export interface RelayConfig {
  brokers: Map<string, BrokerUrl>;
  notify: NotifyRoute[];
  outbox: OutboxSettings | null;
}

const RELAY_KEYS = ['brokers', 'notify', 'outbox'] as const;
const OUTBOX_KEYS = [
  'batchSize',
  'pollIntervalMs',
  'publishTimeoutMs',
  'maxBacklogRows',
  'maxBacklogAgeSeconds',
  'installTriggers',
  'tables',
] as const;
const ROUTE_KEYS = ['table', 'operations', 'where', 'format', 'to'] as const;
/** The settings of a destination on each kind of broker (besides `broker`). */
const DESTINATION_KEYS: Record<Exclude<BrokerKind, 'kafka'>, readonly string[]> = {
  amqp: ['exchange', 'routingKey'],
  redis: ['stream', 'maxLen', 'channel'],
  nats: ['subject', 'jetstream'],
  mqtt: ['topic', 'qos'],
};

/**
 * Reads the `relay:` section. `brokers`: the named brokers of the whole file (config-file.ts
 * reads them, `relay.brokers:` included, before any section that refers to them).
 */
export function parseRelaySection(section: ConfigNode, brokers: ReadonlyMap<string, NamedBroker>): RelayConfig {
  section.onlyKeys(RELAY_KEYS);

  const notifyNode = section.get('notify');
  const notify: NotifyRoute[] = notifyNode.present
    ? notifyNode.items().map((item) => {
        item.onlyKeys(['channel', 'to']);
        return {
          channel: item.get('channel').required().string(),
          to: destination(item.get('to').required(), brokers),
        };
      })
    : [];

  const outboxNode = section.get('outbox');
  let outbox: OutboxSettings | null = null;
  if (outboxNode.present) {
    outboxNode.onlyKeys(OUTBOX_KEYS);
    const num = (key: string, fallback: number, min: number) => outboxNode.get(key).integer(fallback, min);
    outbox = {
      batchSize: num('batchSize', 500, 1),
      pollIntervalMs: num('pollIntervalMs', 1000, 10),
      publishTimeoutMs: num('publishTimeoutMs', 10_000, 100),
      maxBacklogRows: num('maxBacklogRows', 1_000_000, 1),
      maxBacklogAgeSeconds: num('maxBacklogAgeSeconds', 0, 0),
      installTriggers: outboxNode.get('installTriggers').boolean(true),
      tables: outboxNode
        .get('tables')
        .required()
        .items()
        .map((item) => outboxRoute(item, brokers)),
    };
  }
  return {
    brokers: new Map([...brokers].map(([name, b]) => [name, { kind: b.kind, url: b.url, redacted: b.redacted }])),
    notify,
    outbox,
  };
}

function outboxRoute(node: ConfigNode, brokers: ReadonlyMap<string, NamedBroker>): OutboxRoute {
  node.onlyKeys(ROUTE_KEYS);
  const opsNode = node.get('operations');
  const operations = opsNode.present ? opsNode.items().map((op) => op.oneOf(OPERATIONS)) : [...DEFAULT_OPERATIONS];
  const whereNode = node.get('where');
  let where: ColumnCondition | undefined;
  if (whereNode.present) {
    whereNode.onlyKeys(['column', 'op', 'value']);
    const op = whereNode.get('op').oneOf(CONDITION_OPS);
    const valueNode = whereNode.get('value');
    if (op !== 'is_null' && op !== 'not_null') {
      valueNode.required();
    }
    const value = valueNode.present ? valueNode.value() : undefined;
    if (op === 'in' && !Array.isArray(value)) {
      throw valueNode.error('op "in" needs a list of values');
    }
    where = { column: whereNode.get('column').required().string(), op, value };
  }
  const format = node.get('format').oneOf(['row', 'envelope'] as const, 'row');
  // A TRUNCATE has no row: only the envelope (op "truncate", key and row null) can say it.
  if (operations.includes('truncate') && format !== 'envelope') {
    throw opsNode.error('operation "truncate" needs format: envelope (a TRUNCATE has no row to send)');
  }
  return {
    table: node.get('table').required().string(),
    operations,
    where,
    format,
    to: destination(node.get('to').required(), brokers),
  };
}

/** `to:` — a named broker and where on it; the settings depend on the broker's kind. */
function destination(node: ConfigNode, brokers: ReadonlyMap<string, NamedBroker>): Destination {
  const brokerNode = node.get('broker').required();
  const named = namedBroker(brokerNode, brokers);
  const broker = named.name;
  if (named.kind === 'kafka') {
    throw brokerNode.error(
      `broker "${broker}" is kafka (${named.definedAt}): the relay publishes to amqp, redis, nats or mqtt`
    );
  }
  const allowed = DESTINATION_KEYS[named.kind];
  for (const [key, child] of node.entries()) {
    if (key !== 'broker' && !allowed.includes(key)) {
      throw child.error(
        `is not a setting of a ${named.kind} destination (broker "${broker}" is ${named.kind}: ${named.definedAt}; known: ${allowed.join(', ')})`
      );
    }
  }
  const get = (key: string) => node.get(key);
  switch (named.kind) {
    case 'amqp': {
      // '' is the default exchange, where the routing key is a queue name.
      const exchange = get('exchange');
      return {
        broker,
        kind: 'amqp',
        exchange: exchange.present && exchange.value() !== '' ? exchange.string() : '',
        routingKey: get('routingKey').required().string(),
      };
    }
    case 'redis':
      if (get('stream').present && get('channel').present) {
        throw node.error('give either stream or channel, not both');
      }
      if (get('channel').present) {
        return { broker, kind: 'redis-channel', channel: get('channel').string() };
      }
      return {
        broker,
        kind: 'redis-stream',
        stream: get('stream').required().string(),
        maxLen: get('maxLen').integer(1_000_000, 0),
      };
    case 'nats':
      return {
        broker,
        kind: 'nats',
        subject: get('subject').required().string(),
        jetstream: get('jetstream').boolean(true),
      };
    case 'mqtt':
      return {
        broker,
        kind: 'mqtt',
        topic: get('topic').required().string(),
        qos: get('qos').integer(1, 0, 2) as 0 | 1 | 2,
      };
  }
}

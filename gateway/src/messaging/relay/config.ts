import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import { ConfigError } from '../../config-error';
import { parseBrokerUrl, type BrokerUrl } from '../brokers/broker-url';

/**
 * The `relay:` section of the messaging config file: where table changes go.
 *
 *   relay:
 *     brokers:                        # name → URL; the scheme says which broker
 *       rabbit: amqp://guest:guest@127.0.0.1:5672
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
 * Every error names the key path and its line in the file.
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

/** Reads the `relay:` node of the parsed file; `lines` turns offsets into line numbers. */
export function parseRelayConfig(node: Node | null | undefined, lines: LineCounter, file = 'messaging config'): RelayConfig {
  const r = new Reader(lines, file);
  const root = r.map(node, 'relay');
  const brokers = new Map<string, BrokerUrl>();
  const brokersNode = r.map(r.get(root, 'brokers', true), 'relay.brokers');
  for (const pair of brokersNode.items) {
    const name = r.scalarKey(pair.key, 'relay.brokers');
    const url = r.string(pair.value as Node, `relay.brokers.${name}`);
    try {
      brokers.set(name, parseBrokerUrl(url));
    } catch (err) {
      r.fail(pair.value as Node, `relay.brokers.${name}`, (err as Error).message);
    }
  }

  const destination = (n: Node | null, path: string): Destination => {
    const m = r.map(n, path);
    const broker = r.string(r.get(m, 'broker', true), `${path}.broker`);
    const url = brokers.get(broker);
    if (!url) r.fail(r.get(m, 'broker', true), `${path}.broker`, `no broker "${broker}" under relay.brokers`);
    const opt = (key: string) => r.get(m, key, false);
    switch (url!.kind) {
      case 'amqp':
        return {
          broker,
          kind: 'amqp',
          exchange: opt('exchange') ? r.string(opt('exchange'), `${path}.exchange`, true) : '',
          routingKey: r.string(r.get(m, 'routingKey', true), `${path}.routingKey`),
        };
      case 'redis':
        if (opt('stream') && opt('channel')) r.fail(m, path, 'give either stream or channel, not both');
        if (opt('channel')) return { broker, kind: 'redis-channel', channel: r.string(opt('channel'), `${path}.channel`) };
        return {
          broker,
          kind: 'redis-stream',
          stream: r.string(r.get(m, 'stream', true), `${path}.stream`),
          maxLen: opt('maxLen') ? r.int(opt('maxLen'), `${path}.maxLen`, 0) : 1_000_000,
        };
      case 'nats':
        return {
          broker,
          kind: 'nats',
          subject: r.string(r.get(m, 'subject', true), `${path}.subject`),
          jetstream: opt('jetstream') ? r.bool(opt('jetstream'), `${path}.jetstream`) : true,
        };
      case 'mqtt': {
        const qos = opt('qos') ? r.int(opt('qos'), `${path}.qos`, 0, 2) : 1;
        return { broker, kind: 'mqtt', topic: r.string(r.get(m, 'topic', true), `${path}.topic`), qos: qos as 0 | 1 | 2 };
      }
    }
  };

  const notify: NotifyRoute[] = [];
  const notifyNode = r.get(root, 'notify', false);
  if (notifyNode) {
    r.seq(notifyNode, 'relay.notify').items.forEach((item, i) => {
      const path = `relay.notify[${i}]`;
      const m = r.map(item as Node, path);
      notify.push({ channel: r.string(r.get(m, 'channel', true), `${path}.channel`), to: destination(r.get(m, 'to', true), `${path}.to`) });
    });
  }

  let outbox: OutboxSettings | null = null;
  const outboxNode = r.get(root, 'outbox', false);
  if (outboxNode) {
    const m = r.map(outboxNode, 'relay.outbox');
    const num = (key: string, fallback: number, min: number) => (r.get(m, key, false) ? r.int(r.get(m, key, false), `relay.outbox.${key}`, min) : fallback);
    const tables: OutboxRoute[] = [];
    r.seq(r.get(m, 'tables', true), 'relay.outbox.tables').items.forEach((item, i) => {
      const path = `relay.outbox.tables[${i}]`;
      const t = r.map(item as Node, path);
      const opsNode = r.get(t, 'operations', false);
      const operations = opsNode
        ? r.seq(opsNode, `${path}.operations`).items.map((op, j) => r.oneOf(op as Node, `${path}.operations[${j}]`, OPERATIONS))
        : [...DEFAULT_OPERATIONS];
      const whereNode = r.get(t, 'where', false);
      let where: ColumnCondition | undefined;
      if (whereNode) {
        const w = r.map(whereNode, `${path}.where`);
        const op = r.oneOf(r.get(w, 'op', true), `${path}.where.op`, CONDITION_OPS);
        const valueNode = r.get(w, 'value', op !== 'is_null' && op !== 'not_null');
        const value = valueNode ? (valueNode as { toJSON(): unknown }).toJSON() : undefined;
        if (op === 'in' && !Array.isArray(value)) r.fail(valueNode, `${path}.where.value`, 'op "in" needs a list of values');
        where = { column: r.string(r.get(w, 'column', true), `${path}.where.column`), op, value };
      }
      const formatNode = r.get(t, 'format', false);
      const format = formatNode ? r.oneOf(formatNode, `${path}.format`, ['row', 'envelope'] as const) : 'row';
      // A TRUNCATE has no row: only the envelope (op "truncate", key and row null) can say it.
      if (operations.includes('truncate') && format !== 'envelope') {
        r.fail(opsNode!, `${path}.operations`, 'operation "truncate" needs format: envelope (a TRUNCATE has no row to send)');
      }
      tables.push({
        table: r.string(r.get(t, 'table', true), `${path}.table`),
        operations,
        where,
        format,
        to: destination(r.get(t, 'to', true), `${path}.to`),
      });
    });
    const installNode = r.get(m, 'installTriggers', false);
    outbox = {
      batchSize: num('batchSize', 500, 1),
      pollIntervalMs: num('pollIntervalMs', 1000, 10),
      publishTimeoutMs: num('publishTimeoutMs', 10_000, 100),
      maxBacklogRows: num('maxBacklogRows', 1_000_000, 1),
      maxBacklogAgeSeconds: num('maxBacklogAgeSeconds', 0, 0),
      installTriggers: installNode ? r.bool(installNode, 'relay.outbox.installTriggers') : true,
      tables,
    };
  }
  return { brokers, notify, outbox };
}

/** Typed reads of YAML nodes that fail with the key path and the line. */
class Reader {
  constructor(
    private readonly lines: LineCounter,
    private readonly file: string
  ) {}

  fail(node: Node | null | undefined, path: string, message: string): never {
    const offset = node?.range?.[0];
    const where = offset === undefined ? '' : ` (line ${this.lines.linePos(offset).line})`;
    throw new ConfigError(`${this.file}: ${path}${where}: ${message}`);
  }

  get(map: YAMLMap, key: string, required: true): Node;
  get(map: YAMLMap, key: string, required: boolean): Node | null;
  get(map: YAMLMap, key: string, required: boolean): Node | null {
    const value = map.get(key, true) as Node | undefined;
    if (value === undefined || (isScalar(value) && value.value === null)) {
      if (required) this.fail(map, key, 'is missing');
      return null;
    }
    return value;
  }

  map(node: Node | null | undefined, path: string): YAMLMap {
    if (!isMap(node)) this.fail(node, path, 'must be a mapping (key: value lines)');
    for (const pair of node.items) if (!isScalar(pair.key)) this.fail(node, path, 'keys must be plain names');
    return node;
  }

  seq(node: Node | null | undefined, path: string) {
    if (!isSeq(node)) this.fail(node, path, 'must be a list (lines starting with -)');
    return node;
  }

  scalarKey(key: unknown, path: string): string {
    if (!isScalar(key) || typeof key.value !== 'string') this.fail(key as Node, path, 'keys must be names');
    return key.value as string;
  }

  string(node: Node | null, path: string, allowEmpty = false): string {
    if (!isScalar(node) || typeof node.value !== 'string' || (!allowEmpty && node.value === '')) this.fail(node, path, 'must be a non-empty string');
    return node.value as string;
  }

  int(node: Node | null, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(node, path, `must be an integer from ${min} to ${max}`);
    return v;
  }

  bool(node: Node | null, path: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, path, 'must be true or false');
    return node.value as boolean;
  }

  oneOf<T extends string>(node: Node | null, path: string, allowed: readonly T[]): T {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'string' || !allowed.includes(v as T)) this.fail(node, path, `must be one of ${allowed.join(', ')}`);
    return v as T;
  }
}

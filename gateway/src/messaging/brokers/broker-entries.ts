import type { ConfigNode } from '../config-node';
import { parseBrokerUrl, type BrokerUrl } from './broker-url';

/** A broker under `brokers:`, by the name ingest sources and relay routes refer to it. */
export interface NamedBroker extends BrokerUrl {
  name: string;
  /** Where it is defined (`messaging.yaml line 3: brokers.rabbit`), for errors about its use. */
  definedAt: string;
}

/**
 * The named brokers of the messaging config: one parser for the top-level `brokers:` and the
 * relay's own `relay.brokers:` (the older place), which share one set of names.
 *
 *   brokers:
 *     rabbit: amqp://guest:guest@127.0.0.1:5672
 *     bus: nats://127.0.0.1:4222
 */
export function parseBrokerEntries(section: ConfigNode, into: Map<string, NamedBroker>): void {
  for (const [name, node] of section.entries()) {
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
      throw node.error('a broker name uses letters, digits, ".", "_" or "-" (at most 100)');
    }
    const earlier = into.get(name);
    if (earlier) {
      throw node.error(`broker "${name}" is already defined (${earlier.definedAt})`);
    }
    let broker: BrokerUrl;
    try {
      broker = parseBrokerUrl(node.string());
    } catch (err) {
      throw node.error((err as Error).message);
    }
    into.set(name, { ...broker, name, definedAt: node.error('').message.replace(/: $/, '') });
  }
}

/** The broker a source or route names, or a ConfigError on `ref`'s line listing the known names. */
export function namedBroker(ref: ConfigNode, brokers: ReadonlyMap<string, NamedBroker>): NamedBroker {
  const name = ref.string();
  const broker = brokers.get(name);
  if (broker) {
    return broker;
  }
  const known = brokers.size > 0 ? `known: ${[...brokers.keys()].join(', ')}` : 'none is defined';
  throw ref.error(`no broker "${name}" under brokers: (${known})`);
}

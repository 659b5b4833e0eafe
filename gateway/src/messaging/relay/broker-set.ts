import type { BrokerUrl } from '../brokers/broker-url';
import type { BrokerLog, OutboundMessage, Publisher } from '../brokers/publisher';
import { createAmqpPublisher } from '../brokers/amqp-publisher';
import { createRedisPublisher } from '../brokers/redis-publisher';
import { createNatsPublisher } from '../brokers/nats-publisher';
import { createMqttPublisher } from '../brokers/mqtt-publisher';
import type { Destination } from './config';

/** One publisher per configured broker, opened on first use, shared by every route that names it. */
export class BrokerSet {
  private readonly publishers = new Map<string, Publisher<never>>();

  constructor(
    private readonly brokers: Map<string, BrokerUrl>,
    private readonly log: BrokerLog
  ) {}

  async publish(to: Destination, messages: readonly OutboundMessage[], timeoutMs: number): Promise<void> {
    if (messages.length === 0) {
      return;
    }
    switch (to.kind) {
      case 'amqp':
        return this.get(to.broker, createAmqpPublisher).publish(
          { exchange: to.exchange, routingKey: to.routingKey },
          messages,
          timeoutMs
        );
      case 'redis-stream':
        return this.get(to.broker, createRedisPublisher).publish(
          { stream: to.stream, maxLen: to.maxLen },
          messages,
          timeoutMs
        );
      case 'redis-channel':
        return this.get(to.broker, createRedisPublisher).publish({ channel: to.channel }, messages, timeoutMs);
      case 'nats':
        return this.get(to.broker, createNatsPublisher).publish(
          { subject: to.subject, jetstream: to.jetstream },
          messages,
          timeoutMs
        );
      case 'mqtt':
        return this.get(to.broker, createMqttPublisher).publish({ topic: to.topic, qos: to.qos }, messages, timeoutMs);
    }
  }

  async close(): Promise<void> {
    const all = [...this.publishers.values()];
    this.publishers.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  private get<T>(name: string, create: (url: string, log: BrokerLog) => Publisher<T>): Publisher<T> {
    let p = this.publishers.get(name) as Publisher<T> | undefined;
    if (!p) {
      const broker = this.brokers.get(name);
      if (!broker) {
        throw new Error(`No broker "${name}"`);
      }
      p = create(broker.url, this.log);
      this.publishers.set(name, p as Publisher<never>);
    }
    return p;
  }
}

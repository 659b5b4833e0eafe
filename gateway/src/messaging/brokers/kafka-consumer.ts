import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import type { BrokerConsumer, InboundMessage, MessageSink } from '../ingest/inbound-message';
import type { ConsumerOptions } from './consumer-options';
import { consumerName } from './consumer-options';

/** The part of a kafkajs Consumer this adapter uses: what a contract test's fake transport provides. */
export type KafkaConsumerPort = Pick<
  Consumer,
  'connect' | 'subscribe' | 'run' | 'commitOffsets' | 'disconnect' | 'describeGroup'
>;

export type KafkaConsumerFactory = (brokers: string[], clientId: string, groupId: string) => KafkaConsumerPort;

const kafkajsConsumer: KafkaConsumerFactory = (brokers, clientId, groupId) =>
  new Kafka({ brokers, clientId, logLevel: logLevel.WARN }).consumer({ groupId, maxBytesPerPartition: 1 << 20 });

/**
 * Kafka: a consumer group (`group`) on `topic`, offsets committed by us, never
 * automatically: a message's offset (+1) is committed after its rows are, in order per
 * partition. Within a partition kafkajs hands batches in order and waits while `push`
 * waits, so a slow database pauses fetching. The message id is topic/partition/offset, the
 * same when a rebalance or a restart hands the message out again.
 */
export class KafkaConsumer implements BrokerConsumer {
  private consumer: KafkaConsumerPort | null = null;
  private readonly toCommit = new Map<string, { topic: string; partition: number; offset: string }>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly options: ConsumerOptions,
    private readonly factory: KafkaConsumerFactory = kafkajsConsumer
  ) {}

  async start(sink: MessageSink): Promise<void> {
    const { config } = this.options;
    const brokers = kafkaBrokers(config.url);
    this.consumer = this.factory(brokers, consumerName(this.options), config.group!);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [config.topic!], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, isRunning, isStale, heartbeat }: EachBatchPayload) => {
        for (const m of batch.messages) {
          if (!isRunning() || isStale()) {
            return;
          }
          await sink.push(this.inbound(batch.topic, batch.partition, m));
          await heartbeat();
        }
      },
    });
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.consumer?.disconnect();
  }

  private inbound(topic: string, partition: number, m: KafkaMessage): InboundMessage {
    const headers = m.headers ?? {};
    return {
      payload: m.value ?? Buffer.alloc(0),
      brokerId: `${topic}/${partition}/${m.offset}`,
      header: (name) => {
        const v = headers[name];
        const one = Array.isArray(v) ? v[0] : v;
        return one === undefined ? undefined : one.toString();
      },
      origin: topic,
      ack: () => this.commitAfter(topic, partition, m.offset),
    };
  }

  /** Acks of one batch arrive together: they become one commit of the highest offset per partition. */
  private commitAfter(topic: string, partition: number, offset: string): Promise<void> {
    const key = `${topic}\0${partition}`;
    const next = (BigInt(offset) + 1n).toString();
    const known = this.toCommit.get(key);
    if (!known || BigInt(known.offset) < BigInt(next)) {
      this.toCommit.set(key, { topic, partition, offset: next });
    }
    this.flushing ??= Promise.resolve().then(async () => {
      const offsets = [...this.toCommit.values()];
      this.toCommit.clear();
      this.flushing = null;
      await this.consumer?.commitOffsets(offsets);
    });
    return this.flushing;
  }
}

/** `kafka://host1:9092,host2:9092` → ['host1:9092', 'host2:9092']. */
export function kafkaBrokers(url: string): string[] {
  const list = url.replace(/^kafka:\/\//, '').replace(/\/.*$/, '');
  return list.split(',').map((b) => (b.includes(':') ? b : `${b}:9092`));
}

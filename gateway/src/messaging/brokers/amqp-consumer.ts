import { connect, type Channel, type ChannelModel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import type { BrokerConsumer, InboundMessage, MessageSink } from '../ingest/inbound-message';
import type { ConsumerOptions } from './consumer-options';

/**
 * AMQP 0-9-1 (RabbitMQ): manual acks on `queue` with a prefetch of `maxInFlight`, so the
 * broker stops delivering while that many are unacked. Competing consumers on one queue
 * share its messages. The message id is the `message_id` property (none → no duplicate
 * detection for that message). amqplib's connection recovery re-opens a lost connection
 * with backoff and runs the setup (channel, prefetch, consume) again; whatever was unacked
 * on the old channel is redelivered by the broker.
 */
export class AmqpConsumer implements BrokerConsumer {
  private connection: RecoveringChannelModel | null = null;
  private channel: Channel | null = null;

  constructor(private readonly options: ConsumerOptions) {}

  async start(sink: MessageSink): Promise<void> {
    const { config } = this.options;
    const setup = async (model: ChannelModel) => {
      const channel = await model.createChannel();
      await channel.checkQueue(config.queue!);
      await channel.prefetch(Math.min(config.maxInFlight, 65_535));
      await channel.consume(config.queue!, (m) => m && void sink.push(this.inbound(channel, m)), { noAck: false });
      this.channel = channel;
    };
    this.connection = await connect(config.url, { recovery: { initialMaxRetries: 2, maxDelay: 5000, setup } });
    this.connection.on('disconnect', (err: Error) => {
      this.channel = null;
      sink.brokerError(err ?? new Error('AMQP connection lost'));
    });
    this.connection.on('error', (err: Error) => sink.brokerError(err));
  }

  async backlog(): Promise<number | null> {
    if (!this.channel) {
      return null;
    }
    return (await this.channel.checkQueue(this.options.config.queue!)).messageCount;
  }

  async close(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
  }

  private inbound(channel: Channel, m: ConsumeMessage): InboundMessage {
    const headers = m.properties.headers ?? {};
    return {
      payload: m.content,
      brokerId: m.properties.messageId ? String(m.properties.messageId) : null,
      header: (name) => (headers[name] === undefined ? undefined : String(headers[name])),
      origin: this.options.config.queue!,
      // A channel that has closed since cannot take the ack; the broker redelivers the message.
      ack: () => {
        if (channel === this.channel) {
          channel.ack(m);
        }
      },
      deadLetter: () => {
        if (channel === this.channel) {
          channel.nack(m, false, false);
        }
      },
    };
  }
}

import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import type { BrokerConsumer, InboundMessage, MessageSink } from '../ingest/inbound-message';
import type { ConsumerOptions } from './consumer-options';
import { consumerName } from './consumer-options';

/** Redelivery after this long unacked: longer than a database outage the pipeline rides out with backoff. */
const ACK_WAIT_NS = 120 * 1e9;

/**
 * NATS JetStream: a durable pull consumer (the source's `group`) on `stream`, explicit acks.
 * Gateways with the same durable share its messages. The stream itself belongs to the
 * producers and must exist; the durable is created when missing. At most `maxInFlight`
 * messages are pulled and unacked at a time (the pull's max_messages and the pipeline's
 * bound); the message id is the stream sequence, the same on every redelivery.
 */
export class NatsConsumer implements BrokerConsumer {
  private nc: NatsConnection | null = null;
  private consumer: Consumer | null = null;
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly options: ConsumerOptions) {}

  async start(sink: MessageSink): Promise<void> {
    const { config } = this.options;
    const url = new URL(config.url);
    this.nc = await connect({
      servers: `${url.hostname}:${url.port || 4222}`,
      user: url.username ? decodeURIComponent(url.username) : undefined,
      pass: url.password ? decodeURIComponent(url.password) : undefined,
      name: consumerName(this.options),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
    void this.watchStatus(sink);
    const jsm = await jetstreamManager(this.nc);
    const durable = config.group!;
    try {
      await jsm.consumers.info(config.stream!, durable);
    } catch {
      await jsm.consumers.add(config.stream!, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        ack_wait: ACK_WAIT_NS,
        max_ack_pending: Math.max(config.maxInFlight * 4, 1000),
        ...(config.subject ? { filter_subject: config.subject } : {}),
      });
    }
    this.consumer = await jetstream(this.nc).consumers.get(config.stream!, durable);
    this.messages = await this.consumer.consume({ max_messages: Math.min(config.maxInFlight, 1000) });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const m of messages) {
        await sink.push(inbound(m));
      }
    })().catch((err) => sink.brokerError(err));
  }

  async backlog(): Promise<number | null> {
    const info = await this.consumer?.info(true);
    return info ? info.num_pending : null;
  }

  async close(): Promise<void> {
    await this.messages?.close();
    await this.loop;
    await this.nc?.drain().catch(() => this.nc?.close());
  }

  private async watchStatus(sink: MessageSink): Promise<void> {
    if (!this.nc) {
      return;
    }
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect' || s.type === 'error') {
        sink.brokerError(new Error(`NATS ${s.type}`));
      }
    }
  }
}

function inbound(m: JsMsg): InboundMessage {
  return {
    payload: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
    brokerId: String(m.seq),
    header: (name) => (m.headers?.has(name) ? m.headers.get(name) : undefined),
    origin: m.subject,
    ack: () => m.ack(),
  };
}

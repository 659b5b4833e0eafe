import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { BrokerConsumer, InboundMessage, MessageSink } from '../ingest/inbound-message';
import type { ConsumerOptions } from './consumer-options';
import { consumerName } from './consumer-options';

/** Tells mqtt.js to go on reading without sending the PUBACK: we send it after the commit. */
class AckLater extends Error {}

/** mqtt.js's packet writer: not in its typings, so checked at start (the version is pinned in the lock). */
type PacketWriter = { _sendPacket(packet: object): void };
const hasPacketWriter = (client: MqttClient): boolean =>
  typeof (client as unknown as Partial<PacketWriter>)._sendPacket === 'function';

/**
 * MQTT 5, QoS 1, persistent session: a fixed client id (`clientId` + instance), clean start
 * off and a session that outlives the connection, so the broker keeps messages (and
 * redelivers unacked ones) while the gateway is away. `group` subscribes to the shared
 * subscription `$share/<group>/<topic>`: gateways in a group split the messages. The
 * client's receive maximum (= `maxInFlight`) bounds unacked messages at the broker.
 *
 * The PUBACK goes out after the rows are committed. mqtt.js handles incoming packets one at
 * a time and sends the PUBACK when `handleMessage` calls back, so waiting there for the
 * commit would allow one message per database transaction (about a hundred a second here).
 * Instead handleMessage calls back with an error, which makes mqtt.js read on without a
 * PUBACK, and the PUBACK is sent by ack(). An ack from before a reconnect is not sent: the
 * broker redelivers that message on the new connection, and its id finds it stored.
 */
export class MqttConsumer implements BrokerConsumer {
  private client: MqttClient | null = null;
  private connection = 0;

  constructor(private readonly options: ConsumerOptions) {}

  async start(sink: MessageSink): Promise<void> {
    const { config } = this.options;
    const topic = config.group ? `$share/${config.group}/${config.topic}` : config.topic!;
    const client = mqtt.connect(config.url, {
      clientId: consumerName(this.options),
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 7 * 24 * 3600, receiveMaximum: Math.min(config.maxInFlight, 65_535) },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: true,
      manualConnect: true,
    });
    if (!hasPacketWriter(client)) {
      throw new Error(
        'this mqtt.js has no packet writer for a PUBACK after the commit: install the version in package-lock.json'
      );
    }
    this.client = client;
    client.handleMessage = (packet: IPublishPacket, callback) => {
      const connection = this.connection;
      void sink.push(this.inbound(packet, connection));
      callback(packet.qos > 0 ? new AckLater() : undefined);
    };
    client.on('connect', () => this.connection++);
    client.on('error', (err) => sink.brokerError(err));
    client.on('offline', () => sink.brokerError(new Error('MQTT broker connection lost')));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.connect();
    });
    const granted = await client.subscribeAsync(topic, { qos: 1 });
    const refused = granted.find((g) => g.qos > 2);
    if (refused) {
      throw new Error(`the MQTT broker refused the subscription to "${topic}" (reason ${refused.qos})`);
    }
  }

  async close(): Promise<void> {
    // Not `end(true)`: a clean disconnect keeps the session (and its queued messages) at the broker.
    await this.client?.endAsync();
  }

  private inbound(packet: IPublishPacket, connection: number): InboundMessage {
    const props = packet.properties?.userProperties ?? {};
    return {
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      brokerId: null,
      header: (name) => {
        const v = props[name];
        return Array.isArray(v) ? v[0] : v;
      },
      origin: packet.topic,
      ack: () => {
        if (packet.qos === 0 || connection !== this.connection || !this.client?.connected) {
          return;
        }
        (this.client as unknown as PacketWriter)._sendPacket({
          cmd: 'puback',
          messageId: packet.messageId,
          reasonCode: 0,
        });
      },
    };
  }
}

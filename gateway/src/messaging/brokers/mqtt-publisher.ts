import mqtt from 'mqtt';
import { lazyConnection } from './lazy-connection';
import { confirmWithin, type BrokerLog, type Publisher } from './publisher';

export interface MqttTarget {
  topic: string;
  /** 1 (default): the broker's PUBACK confirms each message. */
  qos: 0 | 1 | 2;
}

export function createMqttPublisher(url: string, log: BrokerLog): Publisher<MqttTarget> {
  const link = lazyConnection(
    async () => {
      // The client reconnects by itself; a publish it cannot confirm in time drops it whole.
      const client = await mqtt.connectAsync(url, { connectTimeout: 5000, reconnectPeriod: 1000, queueQoSZero: false });
      client.on('error', (err) => log.warn({ err: err.message }, 'MQTT client error'));
      return client;
    },
    (client, graceful) => (graceful ? client.endAsync() : client.endAsync(true))
  );

  return {
    async publish(target, messages, timeoutMs) {
      const client = await link.get();
      const sent = Promise.all(messages.map((m) => client.publishAsync(target.topic, m.body, { qos: target.qos })));
      await confirmWithin(sent, timeoutMs, `MQTT publish of ${messages.length} message(s)`, link.drop);
    },
    close: link.close,
  };
}

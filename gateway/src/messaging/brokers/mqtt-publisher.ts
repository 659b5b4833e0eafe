import mqtt, { type MqttClient } from 'mqtt';
import { confirmWithin, type BrokerLog, type Publisher } from './publisher';

export interface MqttTarget {
  topic: string;
  /** 1 (default): the broker's PUBACK confirms each message. */
  qos: 0 | 1 | 2;
}

export function createMqttPublisher(url: string, log: BrokerLog): Publisher<MqttTarget> {
  let client: Promise<MqttClient> | null = null;
  const drop = () => {
    const old = client;
    client = null;
    void old?.then((c) => c.end(true)).catch(() => undefined);
  };
  const open = async () => {
    const c = await mqtt.connectAsync(url, { connectTimeout: 5000, reconnectPeriod: 1000, queueQoSZero: false });
    c.on('error', (err) => log.warn({ err: err.message }, 'MQTT client error'));
    return c;
  };

  return {
    async publish(target, messages, timeoutMs) {
      if (!client) {
        client = open();
        client.catch(() => drop());
      }
      const c = await client;
      const sent = Promise.all(messages.map((m) => c.publishAsync(target.topic, m.body, { qos: target.qos })));
      await confirmWithin(sent, timeoutMs, `MQTT publish of ${messages.length} message(s)`, drop);
    },
    async close() {
      const old = client;
      client = null;
      await old?.then((c) => c.endAsync()).catch(() => undefined);
    },
  };
}

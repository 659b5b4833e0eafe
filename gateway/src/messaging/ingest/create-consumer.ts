import type { FastifyBaseLogger } from 'fastify';
import type { IngestSourceConfig } from './ingest-config';
import type { BrokerConsumer } from './inbound-message';

/** The adapter of the source's broker; each client library is loaded only when a source uses it. */
export async function createConsumer(
  config: IngestSourceConfig,
  instance: string,
  log: FastifyBaseLogger
): Promise<BrokerConsumer> {
  const options = { config, instance, log };
  switch (config.broker) {
    case 'mqtt':
      return new (await import('../brokers/mqtt-consumer')).MqttConsumer(options);
    case 'nats':
      return new (await import('../brokers/nats-consumer')).NatsConsumer(options);
    case 'amqp':
      return new (await import('../brokers/amqp-consumer')).AmqpConsumer(options);
    case 'redis':
      return new (await import('../brokers/redis-consumer')).RedisConsumer(options);
    case 'kafka':
      return new (await import('../brokers/kafka-consumer')).KafkaConsumer(options);
  }
}

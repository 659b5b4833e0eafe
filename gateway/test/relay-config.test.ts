import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessagingConfig } from '../src/messaging/config-file';
import { loadConfig } from '../src/config';
import { writeMessagingConfig } from './helpers/brokers';

function parse(text: string) {
  const relay = parseMessagingConfig(text, 'm.yaml').relay;
  assert.ok(relay, 'the file has a relay section');
  return relay;
}

describe('relay config', () => {
  it('reads brokers, notify routes and outbox tables with their defaults', () => {
    const config = parse(`
relay:
  brokers:
    rabbit: amqp://guest:secret@127.0.0.1:5672
    cache: redis://127.0.0.1:6379
  notify:
    - channel: sales_data_channel
      to: { broker: rabbit, routingKey: sales }
  outbox:
    tables:
      - table: sales_data
        operations: [insert, delete]
        where: { column: quantity, op: in, value: [1, 2] }
        format: envelope
        to: { broker: cache, stream: sales }
`);
    assert.equal(config.brokers.get('rabbit')?.redacted, 'amqp://guest:***@127.0.0.1:5672');
    assert.deepEqual(config.notify, [
      { channel: 'sales_data_channel', to: { broker: 'rabbit', kind: 'amqp', exchange: '', routingKey: 'sales' } },
    ]);
    assert.equal(config.outbox?.batchSize, 500);
    assert.deepEqual(config.outbox?.tables[0], {
      table: 'sales_data',
      operations: ['insert', 'delete'],
      where: { column: 'quantity', op: 'in', value: [1, 2] },
      format: 'envelope',
      to: { broker: 'cache', kind: 'redis-stream', stream: 'sales', maxLen: 1_000_000 },
    });
  });

  it('names the line and the key of a mistake', () => {
    const text = (line: string) =>
      `relay:\n  brokers:\n    rabbit: amqp://127.0.0.1\n  notify:\n    - channel: c\n      to: { broker: rabbit, routingKey: k${line} }\n`;
    assert.throws(
      () => parse(text(', queue: q')),
      /m\.yaml line 6: relay\.notify\[0\]\.to\.queue: is not a setting of a amqp destination \(broker "rabbit" is amqp: m\.yaml line 3: relay\.brokers\.rabbit; known: exchange, routingKey\)/
    );
    assert.throws(
      () =>
        parse(
          `relay:\n  brokers:\n    rabbit: amqp://127.0.0.1\n  notify:\n    - channel: c\n      to: { broker: nope }\n`
        ),
      /m\.yaml line 6: relay\.notify\[0\]\.to\.broker: no broker "nope" under brokers: \(known: rabbit\)/
    );
    assert.throws(
      () => parse(`relay:\n  brokers:\n    x: http://127.0.0.1\n`),
      /m\.yaml line 3: relay\.brokers\.x: unknown broker scheme "http:"/
    );
    assert.throws(
      () =>
        parse(
          `relay:\n  brokers: { r: amqp://h }\n  outbox:\n    tables:\n      - table: t\n        operations: [upsert]\n        to: { broker: r, routingKey: k }\n`
        ),
      /m\.yaml line 6: relay\.outbox\.tables\[0\]\.operations\[0\]: expected one of insert, update, delete, truncate/
    );
    assert.throws(
      () =>
        parse(
          `relay:\n  brokers: { r: amqp://h }\n  outbox:\n    tables:\n      - table: t\n        operations: [truncate]\n        to: { broker: r, routingKey: k }\n`
        ),
      /m\.yaml line 6: relay\.outbox\.tables\[0\]\.operations: operation "truncate" needs format: envelope/
    );
    assert.throws(
      () => parse(`relay:\n  outbox:\n    batchSize: 0\n    tables: []\n`),
      /m\.yaml line 3: relay\.outbox\.batchSize: expected an integer from 1/
    );
    assert.throws(
      () => parse(`relay:\n  outbox:\n    batchsize: 10\n    tables: []\n`),
      /m\.yaml line 3: relay\.outbox\.batchsize: unknown setting "batchsize"/
    );
  });

  it('routes to the brokers of the top-level brokers: section, which ingest sources share', () => {
    const config = parseMessagingConfig(
      `brokers:
  rabbit: amqp://guest:guest@127.0.0.1:5672
  bus: nats://127.0.0.1:4222
ingest:
  - name: orders-in
    broker: rabbit
    queue: orders
    table: orders
relay:
  outbox:
    tables:
      - table: orders
        to: { broker: bus, subject: orders.changed }
`,
      'm.yaml'
    );
    assert.deepEqual(config.relay?.outbox?.tables[0].to, {
      broker: 'bus',
      kind: 'nats',
      subject: 'orders.changed',
      jetstream: true,
    });
    assert.deepEqual([...(config.relay?.brokers.keys() ?? [])], ['rabbit', 'bus']);
    assert.equal(config.ingest[0].url, 'amqp://guest:guest@127.0.0.1:5672');
  });

  it('refuses a route to a Kafka broker and a name defined in both brokers: sections', () => {
    assert.throws(
      () =>
        parse(
          `brokers:\n  log: kafka://127.0.0.1:9092\nrelay:\n  notify:\n    - channel: c\n      to: { broker: log, topic: t }\n`
        ),
      /m\.yaml line 6: relay\.notify\[0\]\.to\.broker: broker "log" is kafka \(m\.yaml line 2: brokers\.log\): the relay publishes to amqp, redis, nats or mqtt/
    );
    assert.throws(
      () => parse(`brokers:\n  r: redis://127.0.0.1\nrelay:\n  brokers:\n    r: redis://127.0.0.2\n`),
      /m\.yaml line 5: relay\.brokers\.r: broker "r" is already defined \(m\.yaml line 2: brokers\.r\)/
    );
  });

  it('MESSAGING_CONFIG (--messaging-config) loads the file; a YAML error stops the start', () => {
    const good = writeMessagingConfig('ingest: []\nrelay:\n  brokers: { r: "mqtt://127.0.0.1:1883" }\n');
    assert.equal(
      loadConfig({ GATEWAY_DEMO: 'true' }, [`--messaging-config=${good}`]).messaging?.relay?.brokers.get('r')?.kind,
      'mqtt'
    );
    assert.equal(
      loadConfig({ GATEWAY_DEMO: 'true', MESSAGING_CONFIG: writeMessagingConfig('ingest: []\n') }).messaging?.relay,
      null
    );
    assert.throws(() => loadConfig({ GATEWAY_DEMO: 'true', MESSAGING_CONFIG: writeMessagingConfig('relay: [\n') }), {
      name: 'ConfigError',
    });
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { parseRelayConfig } from '../src/messaging/relay/config';
import { loadConfig } from '../src/config';
import { writeMessagingConfig } from './helpers/brokers';

function parse(text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return parseRelayConfig(doc.get('relay', true) as never, lineCounter, 'm.yaml');
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
    assert.deepEqual(config.notify, [{ channel: 'sales_data_channel', to: { broker: 'rabbit', kind: 'amqp', exchange: '', routingKey: 'sales' } }]);
    assert.equal(config.outbox?.batchSize, 500);
    assert.deepEqual(config.outbox?.tables[0], {
      table: 'sales_data',
      operations: ['insert', 'delete'],
      where: { column: 'quantity', op: 'in', value: [1, 2] },
      format: 'envelope',
      to: { broker: 'cache', kind: 'redis-stream', stream: 'sales', maxLen: 1_000_000 },
    });
  });

  it('names the key and the line of a mistake', () => {
    const text = (line: string) => `relay:\n  brokers:\n    rabbit: amqp://127.0.0.1\n  notify:\n    - channel: c\n      to: { broker: rabbit, routingKey: k${line} }\n`;
    assert.throws(() => parse(text(', exchange: 5')), /m\.yaml: relay\.notify\[0\]\.to\.exchange \(line 6\): must be a non-empty string/);
    assert.throws(() => parse(`relay:\n  brokers:\n    rabbit: amqp://127.0.0.1\n  notify:\n    - channel: c\n      to: { broker: nope }\n`), /relay\.notify\[0\]\.to\.broker \(line 6\): no broker "nope"/);
    assert.throws(() => parse(`relay:\n  brokers:\n    x: kafka://127.0.0.1\n`), /relay\.brokers\.x \(line 3\): unknown broker scheme "kafka:"/);
    assert.throws(
      () => parse(`relay:\n  brokers: { r: amqp://h }\n  outbox:\n    tables:\n      - table: t\n        operations: [upsert]\n        to: { broker: r, routingKey: k }\n`),
      /relay\.outbox\.tables\[0\]\.operations\[0\] \(line 6\): must be one of insert, update, delete, truncate/
    );
    assert.throws(
      () => parse(`relay:\n  brokers: { r: amqp://h }\n  outbox:\n    tables:\n      - table: t\n        operations: [truncate]\n        to: { broker: r, routingKey: k }\n`),
      /relay\.outbox\.tables\[0\]\.operations \(line 6\): operation "truncate" needs format: envelope/
    );
  });

  it('MESSAGING_CONFIG (--messaging-config) loads the file; a YAML error stops the start', () => {
    const good = writeMessagingConfig('ingest: []\nrelay:\n  brokers: { r: "mqtt://127.0.0.1:1883" }\n');
    assert.equal(loadConfig({ GATEWAY_DEMO: 'true' }, [`--messaging-config=${good}`]).messaging?.relay?.brokers.get('r')?.kind, 'mqtt');
    assert.equal(loadConfig({ GATEWAY_DEMO: 'true', MESSAGING_CONFIG: writeMessagingConfig('ingest: []\n') }).messaging?.relay, null);
    assert.throws(() => loadConfig({ GATEWAY_DEMO: 'true', MESSAGING_CONFIG: writeMessagingConfig('relay: [\n') }), { name: 'ConfigError' });
  });
});

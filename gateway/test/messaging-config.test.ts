import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessagingConfig } from '../src/messaging/config-file';
import { ConfigError } from '../src/config-error';

const valid = `ingest:
  - name: sensors
    broker: nats
    url: nats://127.0.0.1:4222
    stream: SENSORS
    group: tsgw
    table: readings
    decoder:
      format: json
      rows: readings
      fields: { time: ts, value: v }
      defaults: { sensor: lab }
    batch: { rows: 500, waitMs: 100 }
  - name: influx
    broker: mqtt
    url: mqtt://127.0.0.1:1883
    topic: influx/#
    table: readings
    messageId: { header: msg-id }
    decoder: { format: line-protocol, precision: ms }
relay:
  brokers: { r: "mqtt://127.0.0.1:1883" }
`;

function refused(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseMessagingConfig(text, 'messaging.yaml'),
    (err: unknown) => err instanceof ConfigError && pattern.test(err.message)
  );
}

describe('messaging config file', () => {
  it('reads ingest sources with their defaults', () => {
    const config = parseMessagingConfig(valid, 'messaging.yaml');
    assert.equal(config.ingest.length, 2);
    const [nats, mqtt] = config.ingest;
    assert.equal(nats.broker, 'nats');
    assert.deepEqual(nats.messageId, { from: 'broker' });
    assert.equal(nats.batchRows, 500);
    assert.equal(nats.batchWaitMs, 100);
    assert.equal(nats.maxInFlight, 1000);
    assert.deepEqual(nats.decoder, { format: 'json', rows: 'readings', fields: { time: 'ts', value: 'v' }, defaults: { sensor: 'lab' } });
    assert.deepEqual(mqtt.messageId, { from: 'header', name: 'msg-id' });
    assert.equal(mqtt.batchRows, 1000);
    assert.equal(mqtt.decoder.format, 'line-protocol');
    assert.ok(config.relay, 'the relay section is handed on');
  });

  it('refuses an unknown top-level key, naming its line', () => {
    refused(`ingest: []\noutbound:\n  - x\n`, /^messaging\.yaml line 2: outbound: unknown top-level key/);
  });

  it('refuses an unknown setting of a source, naming its line', () => {
    refused(valid.replace('    table: readings\n    decoder:\n      format: json', '    table: readings\n    tabel: x\n    decoder:\n      format: json'), /line 8: ingest\[0\]\.tabel: unknown setting "tabel"/);
  });

  it('refuses a setting that is not one of the broker', () => {
    refused(valid.replace('    topic: influx/#', '    topic: influx/#\n    queue: q'), /line 18: ingest\[1\]\.queue: is not a setting of a mqtt source/);
  });

  it('refuses a missing required setting', () => {
    refused(valid.replace('    group: tsgw\n', ''), /ingest\[0\]\.group: is required for a nats source/);
  });

  it('refuses a bad number, a bad URL scheme and a YAML syntax error with their lines', () => {
    refused(valid.replace('rows: 500', 'rows: -5'), /line 13: ingest\[0\]\.batch\.rows: expected an integer from 1/);
    refused(valid.replace('nats://127', 'http://127'), /line 4: ingest\[0\]\.url: a nats URL starts with nats:\/\//);
    refused('ingest:\n  - name: [unclosed\n', /^messaging\.yaml line \d+: /);
  });

  it('refuses a broker message id on MQTT, which has none that survives a redelivery', () => {
    refused(valid.replace('messageId: { header: msg-id }', 'messageId: broker'), /line 19: .*mqtt gives no message id/);
  });

  it('refuses a source name used twice', () => {
    refused(valid.replace('name: influx', 'name: sensors'), /line 14: ingest\[1\]\.name: source name "sensors" is used twice/);
  });
});
